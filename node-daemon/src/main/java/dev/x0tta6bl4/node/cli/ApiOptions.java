package dev.x0tta6bl4.node.cli;

import dev.x0tta6bl4.node.config.HostPort;
import dev.x0tta6bl4.node.config.NodeConfig;
import java.net.URI;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Options of the commands that talk to a running node's local API: where it is ({@code --api},
 * else {@code api.bind} of the configuration from {@code --config} / {@code MESHD_CONFIG} /
 * {@code MESHD_API_BIND}, else http://127.0.0.1:7680) and {@code --json}.
 */
final class ApiOptions {
  @Option(
      names = "--api",
      paramLabel = "URL",
      description = "Base URL of the node's local API (default: api.bind of the configuration,"
          + " i.e. http://127.0.0.1:7680).")
  URI api;

  @Mixin ConfigOption config;

  @Option(names = "--json", description = "Print the API's JSON instead of a table.")
  boolean json;

  /**
   * The client for the chosen API.
   *
   * @param commandLine the command, for usage errors
   */
  LocalApiClient client(Map<String, String> env, picocli.CommandLine commandLine) {
    if (api != null) {
      if (api.getScheme() == null || !api.getScheme().equals("http") || api.getHost() == null) {
        throw new picocli.CommandLine.ParameterException(
            commandLine, "--api must be an http:// URL such as"
                + " http://127.0.0.1:7680, got '" + api + "'");
      }
      return new LocalApiClient(api);
    }
    NodeConfig nodeConfig = config.load(env);
    return new LocalApiClient(urlOf(nodeConfig.api().bind()));
  }

  /** The URL that reaches {@code bind}; a wildcard address is reached over loopback. */
  static URI urlOf(HostPort bind) {
    String host = bind.host();
    if (host.equals("0.0.0.0")) {
      host = "127.0.0.1";
    } else if (host.equals("::") || host.equals("0:0:0:0:0:0:0:0")) {
      host = "::1";
    }
    String authority = host.contains(":") ? "[" + host + "]" : host;
    return URI.create("http://" + authority + ":" + bind.port());
  }
}
