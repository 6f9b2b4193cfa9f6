package io.kubeaccel.extender;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** What kube-scheduler does to an extender: POST JSON, read status and JSON. */
final class ExtenderClient {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  record Answer(int code, String body) {
    JsonNode json() {
      return JSON.readTree(body);
    }
  }

  private final HttpClient http;
  private final String base;

  ExtenderClient(HttpClient http, String base) {
    this.http = http;
    this.base = base;
  }

  static ExtenderClient plain(int port) {
    return new ExtenderClient(
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build(),
        "http://127.0.0.1:" + port);
  }

  Answer post(String path, byte[] body) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build());
  }

  Answer post(String path, String body) throws IOException, InterruptedException {
    return post(path, body.getBytes(StandardCharsets.UTF_8));
  }

  /** POST without a Content-Length (chunked), as a client streaming a body of unknown size does. */
  Answer postChunked(String path, byte[] body) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
        .build());
  }

  Answer get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET().build());
  }

  private Answer send(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(
        HttpRequest.newBuilder(request, (name, value) -> true)
            .timeout(Duration.ofSeconds(20))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), response.body());
  }
}
