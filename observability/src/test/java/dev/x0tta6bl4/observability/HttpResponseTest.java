package dev.x0tta6bl4.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpResponseTest {
  @Test
  void construct_statusOutOfRange_throwsNamingStatus() {
    assertThatThrownBy(() -> HttpResponse.json(600, "{}"))
        .isInstanceOf(ObservabilityException.class)
        .hasMessageContaining("600");
  }

  @Test
  void error_messageWithQuotes_isValidJson() throws Exception {
    HttpResponse response = HttpResponse.error(404, "not_found", "no \"route\" here");

    var json = new ObjectMapper().readTree(response.body());

    assertThat(response.contentType()).isEqualTo(HttpResponse.JSON);
    assertThat(json.get("error").get("code").asText()).isEqualTo("not_found");
    assertThat(json.get("error").get("message").asText()).isEqualTo("no \"route\" here");
    assertThat(json.size()).isEqualTo(1);
  }

  @Test
  void body_mutatedByCaller_responseUnchanged() {
    byte[] body = "abc".getBytes(StandardCharsets.UTF_8);
    HttpResponse response = new HttpResponse(200, "text/plain", body, Map.of("X-A", "1"));

    body[0] = 'z';
    response.body()[1] = 'z';

    assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("abc");
    assertThat(response.headers()).containsEntry("x-a", "1");
  }
}
