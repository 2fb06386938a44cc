package dev.x0tta6bl4.node.sim;

import dev.x0tta6bl4.node.delivery.DeliverySettings;
import dev.x0tta6bl4.node.membership.FailureDetectorSettings;
import dev.x0tta6bl4.node.routing.RoutingSettings;
import java.util.Objects;

/**
 * Settings of one simulated mesh: the cores' own settings (production defaults unless a test
 * says otherwise) and the driver timings that {@code MeshLinks} and {@code MeshRouter} use in
 * production (detector tick at half the heartbeat interval, delivery tick 5 ms), plus the link
 * layer's connect timeout and reconnect backoff.
 *
 * @param detector failure-detector settings (production defaults)
 * @param routing routing settings (production defaults)
 * @param delivery delivery settings; {@code maxInFlight} is lowered from 16,384 to 1,024 because
 *     each core preallocates its in-flight table and hundreds of nodes share one heap
 * @param deliveryTickNanos how often a node with messages in flight ticks its unicast core
 *     ({@code MeshRouter} ticks every 5 ms)
 * @param housekeepingNanos how often every node ticks its delivery cores regardless (expiry of
 *     dedup windows and seen-sets)
 * @param connectTimeoutNanos a dial that got no reply in this time failed (TCP connect over a
 *     dead link: {@code mesh.hello-timeout}, 1 s here instead of the default 5 s so that repaired
 *     links are found within the quiet period)
 * @param reconnectMinNanos first reconnect delay ({@code mesh.reconnect-backoff-min}, 100 ms)
 * @param reconnectMaxNanos cap of the reconnect delay ({@code mesh.reconnect-backoff-max}, 1 s
 *     here instead of the default 10 s, for the same reason)
 * @param segmentLoss probability that a frame's TCP segment is lost: it arrives one {@code
 *     retransmitTimeoutNanos} late and the frames behind it wait (0 unless a scenario adds it)
 * @param retransmitTimeoutNanos TCP's retransmission timeout (200 ms, Linux's minimum)
 * @param dataDrop probability that a data, ack or broadcast frame is dropped at the sender, as
 *     {@code MeshRouter} drops frames a link refuses under backpressure (0 unless a scenario adds
 *     it); adverts and link-layer frames are never dropped
 */
record SimConfig(
    FailureDetectorSettings detector,
    RoutingSettings routing,
    DeliverySettings delivery,
    long deliveryTickNanos,
    long housekeepingNanos,
    long connectTimeoutNanos,
    long reconnectMinNanos,
    long reconnectMaxNanos,
    double segmentLoss,
    long retransmitTimeoutNanos,
    double dataDrop) {

  static final long MS = 1_000_000L;

  SimConfig {
    Objects.requireNonNull(detector, "detector");
    Objects.requireNonNull(routing, "routing");
    Objects.requireNonNull(delivery, "delivery");
    if (!(segmentLoss >= 0 && segmentLoss < 1) || !(dataDrop >= 0 && dataDrop < 1)) {
      throw new IllegalArgumentException("segment loss " + segmentLoss + " or data drop " + dataDrop
          + " is outside [0, 1)");
    }
    if (reconnectMaxNanos < reconnectMinNanos || reconnectMinNanos <= 0) {
      throw new IllegalArgumentException("reconnect backoff " + reconnectMinNanos + ".."
          + reconnectMaxNanos + " ns is invalid");
    }
  }

  /** Production core settings, with the simulator timings described on the record. */
  static SimConfig defaults() {
    return new SimConfig(
        FailureDetectorSettings.defaults(),
        RoutingSettings.defaults(),
        DeliverySettings.builder().maxInFlight(1_024).build(),
        5 * MS,
        1_000 * MS,
        1_000 * MS,
        100 * MS,
        1_000 * MS,
        0.0,
        200 * MS,
        0.0);
  }

  /** How often the failure detector ticks: half the heartbeat interval, as {@code MeshLinks}. */
  long detectorTickNanos() {
    return Math.max(1, detector.heartbeatInterval().toNanos() / 2);
  }

  /** These settings with TCP segment loss {@code segments} and data-frame drops {@code data}. */
  SimConfig withLoss(double segments, double data) {
    return new SimConfig(detector, routing, delivery, deliveryTickNanos, housekeepingNanos,
        connectTimeoutNanos, reconnectMinNanos, reconnectMaxNanos, segments,
        retransmitTimeoutNanos, data);
  }
}
