/**
 * A deterministic mesh simulator (test side): the real failure-detection, routing and delivery
 * cores of hundreds of nodes, glued as in production, over an in-memory TCP-like network in
 * virtual time, with seeded faults (cuts, resets, segment loss, dropped frames, partitions,
 * crashes and restarts). One seed drives everything, so any failing run replays from its printed
 * seed with {@code -Dmeshd.sim.seed=N}.
 *
 * <p>{@link dev.x0tta6bl4.node.sim.MeshSimulator} is the network and event loop, {@link
 * dev.x0tta6bl4.node.sim.SimNode} one node's glue, {@link dev.x0tta6bl4.node.sim.ChurnScenario}
 * a seeded run of fault rounds with the checks of {@link dev.x0tta6bl4.node.sim.MeshInvariants}
 * (routes) and {@link dev.x0tta6bl4.node.sim.SimLedger} (delivery contract) after every quiet
 * period.
 */
package dev.x0tta6bl4.node.sim;
