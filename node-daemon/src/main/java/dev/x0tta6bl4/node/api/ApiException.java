package dev.x0tta6bl4.node.api;

import dev.x0tta6bl4.observability.HttpResponse;
import java.util.Map;

/**
 * A request the local API refuses, with its HTTP status and stable error code; thrown by request
 * parsing and turned into {@code {"error":{"code":...,"message":...}}} by {@link ApiResponses}.
 */
final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;

  ApiException(int status, String code, String message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /** 400 {@code bad_json}: the body is not one well-formed JSON object. */
  static ApiException badJson(String message) {
    return new ApiException(400, "bad_json", message);
  }

  /**
   * 400 {@code invalid_argument}: a field or query parameter is missing, unknown, of the wrong
   * type or out of range.
   */
  static ApiException invalidArgument(String message) {
    return new ApiException(400, "invalid_argument", message);
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }

  HttpResponse toResponse() {
    return HttpResponse.error(status, code, getMessage(), Map.of());
  }
}
