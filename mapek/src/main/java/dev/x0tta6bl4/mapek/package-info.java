/**
 * The generic MAPE-K control loop (Monitor, Analyze, Plan, Execute over Knowledge). It knows
 * nothing of Netty or Ratis: the node daemon supplies concrete sensors and actuators.
 */
package dev.x0tta6bl4.mapek;
