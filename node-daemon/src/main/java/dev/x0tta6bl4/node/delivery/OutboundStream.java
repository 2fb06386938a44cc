package dev.x0tta6bl4.node.delivery;

/**
 * What a source keeps per destination: the next sequence number, its in-flight messages in
 * sequence order (an intrusive list through {@link InFlightTable}) and the RFC 6298 round-trip
 * estimate (SRTT, RTTVAR) from which the retransmission timeout comes.
 */
final class OutboundStream {
  final String destination;
  final int hash;
  long nextSeq;
  int head = InFlightTable.NONE;
  int tail = InFlightTable.NONE;
  int inFlight;
  private long srtt;
  private long rttvar;
  private boolean hasSample;

  OutboundStream(String destination, long firstSeq) {
    this.destination = destination;
    this.hash = destination.hashCode();
    this.nextSeq = firstSeq;
  }

  /** Feeds one RTT measurement (RFC 6298 section 2, alpha 1/8, beta 1/4). */
  void sample(long rtt) {
    if (!hasSample) {
      srtt = rtt;
      rttvar = rtt / 2;
      hasSample = true;
    } else {
      rttvar = rttvar - (rttvar >> 2) + (Math.abs(srtt - rtt) >> 2);
      srtt = srtt - (srtt >> 3) + (rtt >> 3);
    }
  }

  boolean hasSample() {
    return hasSample;
  }

  long srtt() {
    return srtt;
  }

  /** SRTT + max(G, 4 RTTVAR) within [min, max]; {@code initial} before the first sample. */
  long rto(long initial, long min, long max, long granularity) {
    if (!hasSample) {
      return initial;
    }
    long rto = srtt + Math.max(granularity, 4 * rttvar);
    return Math.max(min, Math.min(max, rto));
  }
}
