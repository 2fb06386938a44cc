package dev.x0tta6bl4.node.heal;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.x0tta6bl4.node.identity.NodeIdentityService;
import dev.x0tta6bl4.node.routing.AdvertRejection;
import dev.x0tta6bl4.node.routing.EnvelopeChainVerifier;
import dev.x0tta6bl4.node.routing.EnvelopeSigner;
import dev.x0tta6bl4.node.routing.RoutingCodecException;
import dev.x0tta6bl4.node.routing.RoutingException;
import dev.x0tta6bl4.node.routing.SignedFrame;
import dev.x0tta6bl4.node.transport.Frame;
import dev.x0tta6bl4.node.transport.FrameFormat;
import dev.x0tta6bl4.node.transport.FrameType;
import dev.x0tta6bl4.node.transport.Link;
import dev.x0tta6bl4.node.transport.MeshLinks;
import dev.x0tta6bl4.node.wiring.Container;
import dev.x0tta6bl4.pqc.IdentitySource;
import dev.x0tta6bl4.pqc.SignedEnvelope;
import dev.x0tta6bl4.pqc.SvidValidator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signed quarantine notices between direct neighbours (issue 8): when this node quarantines a
 * peer it tells every other neighbour, and it records what its neighbours tell it, as evidence.
 *
 * <p>Sending ({@link #announce}): a {@link QuarantineNotice} signed with the node's SVID key by
 * {@link EnvelopeSigner} (origin = this node's SPIFFE ID, a sequence that grows across restarts:
 * the larger of the last one plus one and the wall clock in ms), in a {@code QUARANTINE_NOTICE}
 * frame to every linked neighbour but the accused (that says in its HELLO that it understands
 * notices). A neighbour whose link comes up (again) while
 * the quarantine lasts is told then, with the period left, so a notice lost with a closing link
 * or a neighbour that links later still hears of it. Notices are never relayed.
 *
 * <p>Receiving ({@link #receive}), in this order, each failure counted by outcome and logged:
 * the body decodes ({@code malformed}); the envelope's origin is the link's authenticated peer
 * ({@code wrong_origin}: a notice is only ever accepted first-hand); signature and chain verify
 * against the trust bundle as adverts do ({@link EnvelopeChainVerifier}: {@code bad_signature},
 * {@code untrusted}); the timestamp is within {@code freshness} of our clock ({@code stale}); the
 * sequence is above the last accepted from that neighbour ({@code replayed}); the accused is not
 * this node ({@code self_accusation}) nor the reporter; the period is at most {@code maxPeriod}
 * ({@code period_too_long}); the neighbour holds fewer than {@code maxReportsPerReporter} live
 * reports ({@code reporter_limit}). An accepted notice becomes a report (accused, reporter,
 * until = now + min(period, reportLifetime)); a newer one from the same reporter replaces it.
 *
 * <p>A report is evidence, never an order: nothing here refuses or closes anything. The mesh
 * area reads {@link #reporters()} as {@code peer.quarantine_reports} and raises the cost of its
 * own link to the accused while reports live; it quarantines only on its own evidence.
 *
 * <p>Threading: {@link #announce} runs in the quarantine action's continuation (the thread that
 * completed the refusal, usually the links' owner loop; one signature, ~50 µs with Ed25519) and
 * is thread-safe; {@link #receive} and {@link #linkUp} run on the links' owner loop (as a
 * {@link MeshLinks.Listener}), {@link #reporters()} on the healing loop thread; the receive state
 * is guarded by this object's lock. Holds no resources: the listener
 * goes away with the links.
 */
public final class QuarantineNotices implements MeshLinks.Listener {
  private static final Logger log = LoggerFactory.getLogger(QuarantineNotices.class);
  private static final String WHAT = "quarantine notice";

  /** How a received notice ended; the label of {@code meshd_heal_quarantine_notices_received_total}. */
  public enum Outcome {
    ACCEPTED, MALFORMED, WRONG_ORIGIN, BAD_SIGNATURE, UNTRUSTED, STALE, REPLAYED, SELF_ACCUSATION,
    PERIOD_TOO_LONG, REPORTER_LIMIT;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The direct neighbours as the sender needs them. */
  public interface Neighbours {
    /** The peers linked now. */
    Set<String> linked();

    /** Sends {@code frame} to a neighbour; false if there is no link. */
    boolean send(String peer, Frame frame);

    /**
     * The node's own links to neighbours whose HELLO says they understand notices ({@link
     * FrameFormat#CAPABILITY_QUARANTINE_NOTICES}); notices are small and rare, so they pass
     * backpressure.
     */
    static Neighbours of(MeshLinks links) {
      return new Neighbours() {
        @Override
        public Set<String> linked() {
          return links.currentLinks().keySet();
        }

        @Override
        public boolean send(String peer, Frame frame) {
          Link link = links.currentLinks().get(peer);
          return link != null && link.peerSupports(FrameFormat.CAPABILITY_QUARANTINE_NOTICES)
              && links.sendRegardlessOfBackpressure(peer, frame);
        }
      };
    }
  }

  /**
   * One live report: {@code reporter} quarantined {@code accused} and told us so.
   *
   * @param until when the report stops counting (our clock)
   */
  public record Report(String accused, String reporter, QuarantineNotice.Reason reason,
      long evidence, Duration period, Instant receivedAt, Instant until) {
    /** One line for incident evidence and logs. */
    public String describe() {
      return reporter + " (" + reason.label() + ", " + evidence + " offences, quarantined for "
          + period.toSeconds() + " s; counts until " + until + ")";
    }
  }

  private record LastSequence(long sequence, Instant at) {}

  private record Announced(QuarantineNotice.Reason reason, Instant until, long evidence) {}

  private final String localNodeId;
  private final EnvelopeSigner signer;
  private final EnvelopeChainVerifier verifier;
  private final Neighbours neighbours;
  private final QuarantineNoticeSettings settings;
  private final Clock clock;
  private final AtomicLong lastSent = new AtomicLong();
  private final Map<String, Announced> announced = new java.util.concurrent.ConcurrentHashMap<>();
  private final Counter sent;
  private final Map<Outcome, Counter> received = new EnumMap<>(Outcome.class);
  // Guarded by this.
  private final Map<String, Map<String, Report>> reports = new TreeMap<>(); // accused -> reporter
  private final Map<String, LastSequence> lastSequence = new HashMap<>();

  /**
   * @param localNodeId this node's id (the signer's)
   * @param signer signs with this node's SVID key
   * @param verifier checks reporters' chains against the trust bundle; used under this lock only
   * @param neighbours where notices go
   * @param clock wall clock for freshness and report expiry (the signer has its own)
   */
  public QuarantineNotices(String localNodeId, EnvelopeSigner signer,
      EnvelopeChainVerifier verifier, Neighbours neighbours, QuarantineNoticeSettings settings,
      Clock clock, MeterRegistry registry) {
    this.localNodeId = localNodeId;
    this.signer = signer;
    this.verifier = verifier;
    this.neighbours = neighbours;
    this.settings = settings;
    this.clock = clock;
    if (!signer.localNodeId().equals(localNodeId)) {
      throw new IllegalArgumentException("signer is " + signer.localNodeId() + ", not this node "
          + localNodeId);
    }
    this.sent = Counter.builder("meshd.heal.quarantine.notices.sent")
        .description("Signed quarantine notices sent to neighbours (one per neighbour)")
        .register(registry);
    for (Outcome outcome : Outcome.values()) {
      received.put(outcome, Counter.builder("meshd.heal.quarantine.notices.received")
          .description("Quarantine notices received from neighbours, by outcome")
          .tag("outcome", outcome.label()).register(registry));
    }
    Gauge.builder("meshd.heal.quarantine.reports", this, n -> n.liveReports().size())
        .description("Live reports from neighbours' quarantine notices (accused, reporter pairs)")
        .register(registry);
  }

  /**
   * The node's notices: signed with its SVID, sent over its links, which it listens to for its
   * neighbours' notices. Settings from a {@link QuarantineNoticeSettings} binding when the
   * container has one (tests), else the defaults.
   */
  public static QuarantineNotices forNode(String localNodeId, Container c) {
    Clock clock = c.get(Clock.class);
    MeshLinks links = c.get(MeshLinks.class);
    QuarantineNotices notices = new QuarantineNotices(localNodeId,
        new EnvelopeSigner(c.get(NodeIdentityService.class).spiffeId(),
            c.get(IdentitySource.class)::current, clock),
        new EnvelopeChainVerifier(c.get(SvidValidator.class), clock),
        Neighbours.of(links),
        c.find(QuarantineNoticeSettings.class).orElse(QuarantineNoticeSettings.defaults()),
        clock, c.get(PrometheusMeterRegistry.class));
    links.addListenerAndReplay(notices);
    return notices;
  }

  // ---- sending (the loop's action executor) ----

  /**
   * Tells every linked neighbour but {@code accused} that this node quarantined it.
   *
   * @return the neighbours the notice went to
   * @throws RoutingException if the node's key cannot sign
   */
  public List<String> announce(String accused, QuarantineNotice.Reason reason, Duration period,
      long evidence) {
    long capped = Math.min(evidence, 0xFFFF_FFFFL);
    announced.put(accused, new Announced(reason, clock.instant().plus(period), capped));
    Signed notice = sign(accused, reason, period, capped);
    List<String> to = new ArrayList<>();
    for (String peer : new TreeSet<>(neighbours.linked())) {
      if (sendTo(peer, accused, notice)) {
        to.add(peer);
      }
    }
    return to;
  }

  /** Tells a neighbour that just linked about every quarantine still in force (owner loop). */
  @Override
  public void linkUp(Link link) {
    neighbourLinked(link.peerId());
  }

  void neighbourLinked(String peer) {
    Instant now = clock.instant();
    announced.values().removeIf(a -> !a.until().isAfter(now));
    announced.forEach((accused, a) -> {
      try {
        sendTo(peer, accused,
            sign(accused, a.reason(), Duration.between(now, a.until()), a.evidence()));
      } catch (RuntimeException e) {
        log.warn("quarantine notice not sent {} {} {}", kv("peer", peer),
            kv("accused", accused), kv("error", e.toString()));
      }
    });
  }

  private record Signed(Frame frame, long sequence, QuarantineNotice notice) {}

  private Signed sign(String accused, QuarantineNotice.Reason reason, Duration period,
      long evidence) {
    // A quarantine longer than receivers accept (mapek.mesh.quarantine-period may be days) is
    // announced for the longest they do: they would reject it as period_too_long otherwise, and
    // a report lives no longer than its lifetime anyway. Relinking neighbours hear it again.
    Duration announced = period.compareTo(settings.maxPeriod()) > 0 ? settings.maxPeriod() : period;
    QuarantineNotice notice = new QuarantineNotice(accused, reason,
        announced.toMillis() < 1 ? Duration.ofMillis(1) : announced, evidence);
    long now = clock.millis();
    long sequence = lastSent.updateAndGet(last -> Math.max(last + 1, now));
    return new Signed(new Frame.Opaque(FrameType.QUARANTINE_NOTICE,
        signer.sign(sequence, notice.encode(), WHAT)), sequence, notice);
  }

  private boolean sendTo(String peer, String accused, Signed signed) {
    if (peer.equals(accused) || peer.equals(localNodeId) || !neighbours.send(peer, signed.frame())) {
      return false;
    }
    sent.increment();
    log.info("quarantine notice sent {} {} {} {} {}", kv("peer", peer), kv("accused", accused),
        kv("reason", signed.notice().reason().label()),
        kv("period_ms", signed.notice().period().toMillis()), kv("sequence", signed.sequence()));
    return true;
  }

  // ---- receiving (the links' owner loop) ----

  @Override
  public void frameReceived(Link link, Frame frame) {
    if (frame instanceof Frame.Opaque opaque && opaque.type() == FrameType.QUARANTINE_NOTICE) {
      receive(link.peerId(), opaque.body());
    }
  }

  /** Checks a notice that arrived on the link to {@code from} and records it if valid. */
  public synchronized Outcome receive(String from, byte[] body) {
    Instant now = clock.instant();
    SignedFrame frame;
    SignedEnvelope envelope;
    QuarantineNotice notice;
    try {
      frame = SignedFrame.decode(body);
      envelope = EnvelopeChainVerifier.decodeEnvelope(frame, WHAT);
      notice = QuarantineNotice.decode(envelope.payload());
    } catch (RoutingCodecException | QuarantineNoticeException e) {
      return reject(Outcome.MALFORMED, from, "?", e.getMessage());
    }
    String accused = notice.accused();
    String signerNode = envelope.origin().nodeId().orElse(null);
    if (!from.equals(signerNode)) {
      return reject(Outcome.WRONG_ORIGIN, from, accused, "notice from " + envelope.origin()
          + " arrived on the link to " + from + "; notices are accepted first-hand only");
    }
    java.util.Optional<AdvertRejection> bad = verifier.verify(frame, envelope, WHAT);
    if (bad.isPresent()) {
      Outcome outcome = switch (bad.get().reason()) {
        case BAD_SIGNATURE -> Outcome.BAD_SIGNATURE;
        case ORIGIN_MISMATCH -> Outcome.WRONG_ORIGIN;
        case MALFORMED -> Outcome.MALFORMED;
        default -> Outcome.UNTRUSTED;
      };
      return reject(outcome, from, accused, bad.get().detail());
    }
    long skewMillis = now.toEpochMilli() - envelope.timestampMillis();
    if (Math.abs(skewMillis) > settings.freshness().toMillis()) {
      return reject(Outcome.STALE, from, accused, "signed at " + envelope.timestampMillis()
          + " ms, " + skewMillis + " ms from our clock; at most " + settings.freshness().toMillis()
          + " ms either way");
    }
    forgetOldSequences(now);
    LastSequence last = lastSequence.get(from);
    if (last != null && Long.compareUnsigned(envelope.sequence(), last.sequence()) <= 0) {
      return reject(Outcome.REPLAYED, from, accused, "sequence "
          + Long.toUnsignedString(envelope.sequence()) + " is not above the last accepted "
          + Long.toUnsignedString(last.sequence()));
    }
    lastSequence.put(from, new LastSequence(envelope.sequence(), now));
    if (accused.equals(localNodeId)) {
      return reject(Outcome.SELF_ACCUSATION, from, accused,
          "the notice accuses this node; a neighbour's word about us is not acted on");
    }
    if (accused.equals(from)) {
      return reject(Outcome.MALFORMED, from, accused, "the notice accuses its own sender");
    }
    if (notice.period().compareTo(settings.maxPeriod()) > 0) {
      return reject(Outcome.PERIOD_TOO_LONG, from, accused, "period " + notice.period()
          + " exceeds " + settings.maxPeriod());
    }
    return record(from, notice, now);
  }

  private Outcome record(String from, QuarantineNotice notice, Instant now) {
    expire(now);
    String accused = notice.accused();
    long held = reports.values().stream().filter(r -> r.containsKey(from)).count();
    boolean replaces = reports.getOrDefault(accused, Map.of()).containsKey(from);
    if (!replaces && held >= settings.maxReportsPerReporter()) {
      return reject(Outcome.REPORTER_LIMIT, from, accused, from + " already holds " + held
          + " live reports; at most " + settings.maxReportsPerReporter());
    }
    Duration counts = notice.period().compareTo(settings.reportLifetime()) < 0
        ? notice.period() : settings.reportLifetime();
    Report report = new Report(accused, from, notice.reason(), notice.evidence(), notice.period(),
        now, now.plus(counts));
    reports.computeIfAbsent(accused, a -> new TreeMap<>()).put(from, report);
    received.get(Outcome.ACCEPTED).increment();
    log.warn("quarantine notice accepted as evidence {} {} {} {} {} {}", kv("peer", from),
        kv("accused", accused), kv("reason", notice.reason().label()),
        kv("period_ms", notice.period().toMillis()), kv("evidence", notice.evidence()),
        kv("counts_until", report.until().toString()));
    return Outcome.ACCEPTED;
  }

  private Outcome reject(Outcome outcome, String from, String accused, String detail) {
    received.get(outcome).increment();
    log.warn("quarantine notice rejected {} {} {} {}", kv("peer", from),
        kv("outcome", outcome.label()), kv("accused", accused), kv("detail", detail));
    return outcome;
  }

  /**
   * A sequence is needed only while a notice carrying it could still pass the freshness check:
   * its timestamp may have been up to {@code freshness} ahead of our clock when accepted.
   */
  private void forgetOldSequences(Instant now) {
    Instant horizon = now.minus(settings.freshness().multipliedBy(2));
    lastSequence.values().removeIf(l -> l.at().isBefore(horizon));
  }

  private void expire(Instant now) {
    for (Map<String, Report> byReporter : reports.values()) {
      byReporter.values().removeIf(r -> !r.until().isAfter(now));
    }
    reports.values().removeIf(Map::isEmpty);
  }

  // ---- reports (any thread) ----

  /** Every live report, by accused then reporter. */
  public synchronized List<Report> liveReports() {
    expire(clock.instant());
    List<Report> out = new ArrayList<>();
    reports.values().forEach(r -> out.addAll(r.values()));
    return out;
  }

  /** Accused peer to the distinct neighbours whose reports about it are live. */
  public synchronized Map<String, Set<String>> reporters() {
    expire(clock.instant());
    Map<String, Set<String>> out = new TreeMap<>();
    reports.forEach((accused, r) -> out.put(accused, Set.copyOf(r.keySet())));
    return out;
  }

  /** The live reports about {@code accused}, one line, for incident evidence; empty if none. */
  public synchronized String describe(String accused) {
    expire(clock.instant());
    Map<String, Report> r = reports.get(accused);
    if (r == null) {
      return "";
    }
    List<String> lines = new ArrayList<>();
    r.values().forEach(report -> lines.add(report.describe()));
    return String.join("; ", lines);
  }
}
