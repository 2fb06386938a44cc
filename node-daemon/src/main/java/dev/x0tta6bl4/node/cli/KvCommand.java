package dev.x0tta6bl4.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code meshd kv get|put|del|cas}: the replicated key-value store through the running node's
 * local API ({@code /v1/kv/{key}}). Exit 0 on success; 1 when the API refuses (key absent,
 * version mismatch, no quorum, ...), with the error code and message on stderr; 69 when the API
 * cannot be reached.
 */
@Command(
    name = "kv",
    mixinStandardHelpOptions = true,
    description = {
      "Read and write the replicated key-value store through the running node.",
      "Keys: 1..512 characters of A-Z a-z 0-9 . _ - ~ : @ = in segments separated by '/'."
    },
    subcommands = {KvCommand.Get.class, KvCommand.Put.class, KvCommand.Del.class,
        KvCommand.Cas.class})
final class KvCommand implements Callable<Integer> {
  @ParentCommand MeshdCli root;
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("meshd kv: missing command: get, put, del or cas");
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }

  /** {@code /v1/kv/<key>} with every character outside the key alphabet percent-encoded. */
  static String path(String key) {
    StringBuilder b = new StringBuilder("/v1/kv/");
    for (byte x : key.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (x & 0xff);
      boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || ".-_~:@=/".indexOf(c) >= 0;
      b.append(plain ? String.valueOf(c) : String.format("%%%02X", (int) c));
    }
    return b.toString();
  }

  static String etag(long version) {
    return "\"" + version + "\"";
  }

  /** Reads a value: the argument's UTF-8 bytes, or standard input for '-' or none. */
  static byte[] value(String argument, boolean base64, MeshdCli root) {
    byte[] bytes;
    if (argument == null || argument.equals("-")) {
      try {
        bytes = root.stdin().readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the value from standard input", e);
      }
    } else {
      bytes = argument.getBytes(StandardCharsets.UTF_8);
    }
    if (!base64) {
      return bytes;
    }
    try {
      return Base64.getDecoder().decode(new String(bytes, StandardCharsets.US_ASCII).strip());
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(root.spec.commandLine(),
          "--base64: the value is not base64: " + e.getMessage());
    }
  }

  static long version(LocalApiClient.RawAnswer answer) {
    return answer.json().path("version").asLong();
  }

  /** {@code meshd kv get KEY}. */
  @Command(name = "get", mixinStandardHelpOptions = true,
      description = {"Print the value of KEY (text; binary values need --base64 or --json).",
          "Reads are linearizable unless --stale is given."})
  static final class Get implements Callable<Integer> {
    @ParentCommand KvCommand kv;
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin ApiOptions api;

    @Parameters(index = "0", paramLabel = "KEY", description = "The key.")
    String key;

    @Option(names = "--stale", description = "Read this node's copy without asking the leader"
        + " (works without a quorum; may be behind).")
    boolean stale;

    @Option(names = "--base64", description = "Print the value as base64.")
    boolean base64;

    @Override
    public Integer call() {
      String query = "?format=json" + (stale ? "&consistency=stale" : "");
      LocalApiClient.RawAnswer answer = api.client(kv.root.env(), spec.commandLine())
          .raw("GET", path(key) + query, null);
      PrintWriter out = spec.commandLine().getOut();
      JsonNode body = answer.json();
      if (api.json) {
        out.println(body.toString());
        out.flush();
        return ExitCodes.OK;
      }
      byte[] value = Base64.getDecoder().decode(body.path("value_base64").asText());
      if (base64) {
        out.println(Base64.getEncoder().encodeToString(value));
      } else if (isUtf8(value)) {
        out.print(new String(value, StandardCharsets.UTF_8));
        if (value.length > 0 && value[value.length - 1] != '\n') {
          out.println();
        }
      } else {
        spec.commandLine().getErr().println("meshd: the value of '" + key + "' is binary ("
            + value.length + " bytes, version " + body.path("version").asLong()
            + "); print it with --base64 or --json");
        return ExitCodes.FAILURE;
      }
      out.flush();
      return ExitCodes.OK;
    }
  }

  /** {@code meshd kv put KEY [VALUE|-]}. */
  @Command(name = "put", mixinStandardHelpOptions = true,
      description = {"Write VALUE (or standard input for '-' or none) to KEY and print its new",
          "version. --if-version makes it a compare-and-set, --if-absent a create-only."})
  static final class Put implements Callable<Integer> {
    @ParentCommand KvCommand kv;
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin ApiOptions api;

    @Parameters(index = "0", paramLabel = "KEY", description = "The key.")
    String key;

    @Parameters(index = "1", arity = "0..1", paramLabel = "VALUE",
        description = "The value; '-' or nothing reads standard input.")
    String value;

    @Option(names = "--if-version", paramLabel = "VERSION",
        description = "Write only if the key is at this version (from get --json or put).")
    Long ifVersion;

    @Option(names = "--if-absent", description = "Write only if the key does not exist.")
    boolean ifAbsent;

    @Option(names = "--base64", description = "The value is base64 text.")
    boolean base64;

    @Override
    public Integer call() {
      if (ifVersion != null && ifAbsent) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--if-version and --if-absent exclude each other");
      }
      List<String> headers = new ArrayList<>();
      if (ifVersion != null) {
        headers.add("if-match");
        headers.add(etag(ifVersion));
      } else if (ifAbsent) {
        headers.add("if-none-match");
        headers.add("*");
      }
      return write(kv, spec, api, key, value(value, base64, kv.root), headers);
    }
  }

  /** PUT and report the version, shared by put and cas. */
  static int write(KvCommand kv, CommandLine.Model.CommandSpec spec, ApiOptions api, String key,
      byte[] value, List<String> headers) {
    LocalApiClient.RawAnswer answer = api.client(kv.root.env(), spec.commandLine())
        .raw("PUT", path(key), value, headers.toArray(new String[0]));
    PrintWriter out = spec.commandLine().getOut();
    out.println(api.json ? answer.json().toString() : key + " version " + version(answer));
    out.flush();
    return ExitCodes.OK;
  }

  /** {@code meshd kv cas KEY VERSION [VALUE|-]}. */
  @Command(name = "cas", mixinStandardHelpOptions = true,
      description = {"Compare-and-set: write VALUE to KEY only if KEY is at VERSION (0: only if",
          "it does not exist). On a mismatch exit 1 and print the current version."})
  static final class Cas implements Callable<Integer> {
    @ParentCommand KvCommand kv;
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin ApiOptions api;

    @Parameters(index = "0", paramLabel = "KEY", description = "The key.")
    String key;

    @Parameters(index = "1", paramLabel = "VERSION",
        description = "The version the key must be at; 0 means it must not exist.")
    long version;

    @Parameters(index = "2", arity = "0..1", paramLabel = "VALUE",
        description = "The value; '-' or nothing reads standard input.")
    String value;

    @Option(names = "--base64", description = "The value is base64 text.")
    boolean base64;

    @Override
    public Integer call() {
      if (version < 0) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "VERSION must be 0 or more, got " + version);
      }
      List<String> headers = version == 0 ? List.of("if-none-match", "*")
          : List.of("if-match", etag(version));
      return write(kv, spec, api, key, value(value, base64, kv.root), headers);
    }
  }

  /** {@code meshd kv del KEY}. */
  @Command(name = "del", mixinStandardHelpOptions = true,
      description = "Delete KEY (only at --if-version, when given).")
  static final class Del implements Callable<Integer> {
    @ParentCommand KvCommand kv;
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin ApiOptions api;

    @Parameters(index = "0", paramLabel = "KEY", description = "The key.")
    String key;

    @Option(names = "--if-version", paramLabel = "VERSION",
        description = "Delete only if the key is at this version.")
    Long ifVersion;

    @Override
    public Integer call() {
      String[] headers = ifVersion == null ? new String[0]
          : new String[] {"if-match", etag(ifVersion)};
      LocalApiClient.RawAnswer answer = api.client(kv.root.env(), spec.commandLine())
          .raw("DELETE", path(key), null, headers);
      PrintWriter out = spec.commandLine().getOut();
      out.println(api.json ? answer.json().toString() : "deleted " + key);
      out.flush();
      return ExitCodes.OK;
    }
  }

  static boolean isUtf8(byte[] bytes) {
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
