package dev.x0tta6bl4.node.cli;

import dev.x0tta6bl4.node.config.ConfigException;
import dev.x0tta6bl4.node.config.Durations;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.pqc.CryptoProviders;
import dev.x0tta6bl4.pqc.IdentityFiles;
import dev.x0tta6bl4.pqc.MeshCertificateAuthority;
import dev.x0tta6bl4.pqc.NodeIdentity;
import dev.x0tta6bl4.pqc.PqcException;
import dev.x0tta6bl4.pqc.SignatureAlgorithm;
import dev.x0tta6bl4.pqc.SvidRequest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meshd ca ...}: the built-in mesh certificate authority for small fleets. One
 * machine holds the CA ({@code ca init}); it issues each node's X.509-SVID ({@code ca issue},
 * from a fresh key or from the node's CSR); every node trusts the exported bundle.
 */
@Command(
    name = "ca",
    mixinStandardHelpOptions = true,
    description = "Run the built-in mesh certificate authority.",
    subcommands = {CaCommand.Init.class, CaCommand.Issue.class, CaCommand.Bundle.class})
final class CaCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("meshd ca: missing command: init, issue or bundle");
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }

  /** Parses human durations ({@code 24h}, {@code 365d}) as command-line values. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return Durations.parse(value);
      } catch (ConfigException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** Parses {@code ed25519}, {@code ml-dsa-65}, {@code ecdsa-p256}. */
  static final class AlgorithmConverter implements CommandLine.ITypeConverter<SignatureAlgorithm> {
    @Override
    public SignatureAlgorithm convert(String value) {
      for (SignatureAlgorithm algorithm : SignatureAlgorithm.values()) {
        if (algorithm.name().replace('_', '-').equalsIgnoreCase(value)) {
          return algorithm;
        }
      }
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not one of ed25519, ml-dsa-65, ecdsa-p256");
    }
  }

  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description = {
        "Create a CA key (0600) and self-signed CA certificate in DIR, plus trust-bundle.pem",
        "to hand to every node. Refuses to overwrite an existing CA."
      })
  static final class Init implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "CA directory.")
    Path dir;

    @Option(
        names = "--trust-domain",
        paramLabel = "DOMAIN",
        description = "SPIFFE trust domain (default: ${DEFAULT-VALUE}).")
    String trustDomain = NodeConfig.Identity.defaults().trustDomain();

    @Option(
        names = "--algorithm",
        paramLabel = "ALG",
        converter = AlgorithmConverter.class,
        description = "ed25519 (default), ml-dsa-65 or ecdsa-p256.")
    SignatureAlgorithm algorithm = SignatureAlgorithm.ED25519;

    @Option(
        names = "--lifetime",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        description = "CA certificate lifetime (default: 365d).")
    Duration lifetime = MeshCertificateAuthority.DEFAULT_CA_LIFETIME;

    @Override
    public Integer call() {
      if (Files.exists(dir.resolve(IdentityFiles.CA_KEY))) {
        throw new PqcException(
            dir.resolve(IdentityFiles.CA_KEY) + " already exists; refusing to replace a CA");
      }
      CryptoProviders.install();
      MeshCertificateAuthority ca =
          MeshCertificateAuthority.builder()
              .trustDomain(trustDomain)
              .algorithm(algorithm)
              .caLifetime(lifetime)
              .init();
      ca.save(dir);
      PrintWriter out = spec.commandLine().getOut();
      out.println("created mesh CA for trust domain " + ca.trustDomain() + " ("
          + algorithm.name().toLowerCase(Locale.ROOT) + ") in " + dir);
      out.println("give every node " + dir.resolve(IdentityFiles.TRUST_BUNDLE));
      out.flush();
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "issue",
      mixinStandardHelpOptions = true,
      description = {
        "Issue an X.509-SVID spiffe://<trust-domain>/node/<ID> into OUT: node-key.pem (0600),",
        "node-chain.pem and trust-bundle.pem. With --csr the node keeps its key and only the",
        "certificate and bundle are written. Writing into a running node's identity directory",
        "rotates its certificate without a restart."
      })
  static final class Issue implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--ca-dir", required = true, paramLabel = "DIR", description = "CA directory.")
    Path caDir;

    @Option(names = "--node-id", required = true, paramLabel = "ID", description = "Node id.")
    String nodeId;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    Path out;

    @Option(names = "--csr", paramLabel = "FILE", description = "PKCS#10 request (PEM or DER).")
    Path csr;

    @Option(
        names = "--lifetime",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        description = "SVID lifetime (default: 24h).")
    Duration lifetime;

    @Option(names = "--dns", paramLabel = "NAME", description = "Extra DNS SAN (repeatable).")
    List<String> dnsNames = new ArrayList<>();

    @Option(names = "--ip", paramLabel = "ADDR", description = "Extra IP SAN (repeatable).")
    List<InetAddress> ipAddresses = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
      if (!NodeConfig.Node.ID_PATTERN.matcher(nodeId).matches()) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "--node-id '" + nodeId + "' is not valid: " + NodeConfig.Node.ID_ALLOWED);
      }
      CryptoProviders.install();
      MeshCertificateAuthority ca = MeshCertificateAuthority.builder().load(caDir);
      PrintWriter printer = spec.commandLine().getOut();
      X509Certificate leaf;
      if (csr != null) {
        SvidRequest request = shape(SvidRequest.fromCsr(nodeId, read(csr)));
        leaf = ca.issue(request);
        IdentityFiles.createPrivateDirectory(out);
        IdentityFiles.writeCertificates(out.resolve(IdentityFiles.NODE_CHAIN), List.of(leaf));
        IdentityFiles.writeCertificates(out.resolve(IdentityFiles.TRUST_BUNDLE), ca.trustBundle());
      } else {
        var keys = ca.algorithm().generateKeyPair(new java.security.SecureRandom());
        SvidRequest request = shape(SvidRequest.forPublicKey(nodeId, keys.getPublic()));
        NodeIdentity identity = ca.issueNodeIdentity(keys, request);
        IdentityFiles.writeNodeIdentity(out, identity);
        leaf = identity.leaf();
      }
      printer.println("issued spiffe://" + ca.trustDomain() + "/node/" + nodeId + " valid until "
          + leaf.getNotAfter().toInstant() + " into " + out);
      printer.flush();
      return ExitCodes.OK;
    }

    private SvidRequest shape(SvidRequest.Builder builder) {
      if (lifetime != null) {
        builder.lifetime(lifetime);
      }
      dnsNames.forEach(builder::dnsName);
      ipAddresses.forEach(builder::ipAddress);
      return builder.build();
    }

    private static byte[] read(Path file) {
      try {
        if (Files.size(file) > SvidRequest.MAX_CSR_BYTES) {
          throw new PqcException(file + " is larger than " + SvidRequest.MAX_CSR_BYTES
              + " bytes; not a CSR");
        }
        return Files.readAllBytes(file);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read CSR " + file + ": " + e.getMessage(), e);
      }
    }
  }

  @Command(
      name = "bundle",
      mixinStandardHelpOptions = true,
      description = "Export the CA's trust bundle (PEM) to stdout or to --out FILE.")
  static final class Bundle implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--ca-dir", required = true, paramLabel = "DIR", description = "CA directory.")
    Path caDir;

    @Option(names = "--out", paramLabel = "FILE", description = "Write here instead of stdout.")
    Path out;

    @Override
    public Integer call() {
      CryptoProviders.install();
      MeshCertificateAuthority ca = MeshCertificateAuthority.builder().load(caDir);
      if (out != null) {
        IdentityFiles.writeCertificates(out, ca.trustBundle());
      } else {
        spec.commandLine().getOut().print(IdentityFiles.certificatesPem(ca.trustBundle()));
        spec.commandLine().getOut().flush();
      }
      return ExitCodes.OK;
    }
  }
}
