package dev.x0tta6bl4.mapek;

/** An invalid argument, configuration or state in the MAPE-K module; the message names what is wrong. */
public class MapekException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MapekException(String message) {
    super(message);
  }

  public MapekException(String message, Throwable cause) {
    super(message, cause);
  }
}
