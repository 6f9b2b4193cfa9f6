package io.kubeaccel.agent.doctor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads {@code runtimes.nvidia.path} and {@code default-runtime} from docker's {@code daemon.json}. */
final class DockerConfigReader {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private DockerConfigReader() {}

  /** @throws RuntimeConfig.MalformedException naming the file and line dockerd would refuse */
  static RuntimeConfig read(Path file) throws RuntimeConfig.MalformedException {
    if (!Files.exists(file)) {
      return RuntimeConfig.absent("docker", file);
    }
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new RuntimeConfig.MalformedException(file, 0, "cannot be read: " + e);
    }
    if (text.isBlank()) {
      return new RuntimeConfig("docker", file, true, null, "", "");
    }
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JacksonException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      throw new RuntimeConfig.MalformedException(file, line, e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new RuntimeConfig.MalformedException(file, 1, "must be a JSON object");
    }
    JsonNode nvidia = root.path("runtimes").path("nvidia");
    String defaultRuntime = text(root.path("default-runtime"));
    if (!nvidia.isObject()) {
      return new RuntimeConfig("docker", file, true, null, "", defaultRuntime);
    }
    return new RuntimeConfig("docker", file, true, file, text(nvidia.path("path")), defaultRuntime);
  }

  private static String text(JsonNode node) {
    return node.isString() ? node.stringValue() : "";
  }
}
