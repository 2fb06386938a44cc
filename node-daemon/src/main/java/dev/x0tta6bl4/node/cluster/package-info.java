/**
 * Several real nodes in one JVM on loopback ({@link dev.x0tta6bl4.node.cluster.LocalCluster}),
 * steady traffic with recovery measurement ({@link dev.x0tta6bl4.node.cluster.TrafficProbe}) and
 * the scripted {@code meshd demo} ({@link dev.x0tta6bl4.node.cluster.MeshDemo}) built on them.
 * The same harness drives the multi-node tests, so the demo shows what the tests check.
 */
package dev.x0tta6bl4.node.cluster;
