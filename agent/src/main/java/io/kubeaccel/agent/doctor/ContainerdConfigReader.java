package io.kubeaccel.agent.doctor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the {@code nvidia} runtime and the default runtime from containerd's {@code config.toml} and the files its
 * {@code imports} names (which override it, as containerd merges them; where {@code nvidia-ctk} 1.17+ writes its
 * drop-in). Knows the CRI plugin's key for config versions 1 ({@code plugins.cri}), 2 ({@code
 * plugins."io.containerd.grpc.v1.cri"}) and 3 ({@code plugins."io.containerd.cri.v1.runtime"}).
 */
final class ContainerdConfigReader {

  /** Where the CRI plugin's {@code containerd} table lives, per config version. */
  static final List<List<String>> CRI_CONTAINERD_TABLES = List.of(
      List.of("plugins", "io.containerd.grpc.v1.cri", "containerd"),
      List.of("plugins", "io.containerd.cri.v1.runtime", "containerd"),
      List.of("plugins", "cri", "containerd"));

  private ContainerdConfigReader() {}

  /**
   * @throws RuntimeConfig.MalformedException naming the file (main or imported) and line containerd would refuse
   */
  static RuntimeConfig read(Path file) throws RuntimeConfig.MalformedException {
    if (!Files.exists(file)) {
      return RuntimeConfig.absent("containerd", file);
    }
    List<Path> files = new ArrayList<>(List.of(file));
    List<TomlReader.Document> documents = new ArrayList<>(List.of(parse(file)));
    for (Path imported : imports(file, documents.get(0))) {
      files.add(imported);
      documents.add(parse(imported));
    }
    Path definedIn = null;
    String binary = "";
    String defaultRuntime = "";
    // Later files override earlier ones: the last definition wins.
    for (int i = 0; i < documents.size(); i++) {
      TomlReader.Document document = documents.get(i);
      for (List<String> containerd : CRI_CONTAINERD_TABLES) {
        List<String> nvidia = append(containerd, "runtimes", "nvidia");
        if (document.hasTable(nvidia)) {
          definedIn = files.get(i);
          binary = document
              .string(append(nvidia, "options", "BinaryName"))
              .or(() -> document.string(append(nvidia, "options", "Runtime")))
              .orElse(binary);
        }
        Optional<String> named = document.string(append(containerd, "default_runtime_name"));
        if (named.isPresent()) {
          defaultRuntime = named.get();
        }
      }
    }
    return new RuntimeConfig("containerd", file, true, definedIn, binary, defaultRuntime);
  }

  private static TomlReader.Document parse(Path file) throws RuntimeConfig.MalformedException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new RuntimeConfig.MalformedException(file, 0, "cannot be read: " + e);
    }
    try {
      return TomlReader.parse(text);
    } catch (TomlReader.SyntaxException e) {
      throw new RuntimeConfig.MalformedException(file, e.line(), e.getMessage());
    }
  }

  /**
   * The files {@code imports} names, in order: relative paths against the config's directory, globs in the file name
   * expanded (sorted, as containerd does); names that match nothing are skipped, as containerd skips them.
   */
  private static List<Path> imports(Path file, TomlReader.Document document)
      throws RuntimeConfig.MalformedException {
    Optional<Object> value = document.value(List.of("imports"));
    if (value.isEmpty()) {
      return List.of();
    }
    if (!(value.get() instanceof List<?> entries)) {
      throw new RuntimeConfig.MalformedException(file, 0, "imports must be an array of paths");
    }
    Path dir = file.toAbsolutePath().getParent();
    List<Path> found = new ArrayList<>();
    for (Object entry : entries) {
      if (!(entry instanceof String name)) {
        throw new RuntimeConfig.MalformedException(file, 0, "imports must be an array of paths");
      }
      Path path = dir.resolve(name);
      String fileName = path.getFileName() == null ? "" : path.getFileName().toString();
      if (fileName.matches(".*[*?\\[].*") && path.getParent() != null) {
        found.addAll(glob(path.getParent(), fileName));
      } else if (Files.isRegularFile(path)) {
        found.add(path);
      }
    }
    return found;
  }

  private static List<Path> glob(Path dir, String pattern) {
    List<Path> matches = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return matches;
    }
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, pattern)) {
      stream.forEach(path -> {
        if (Files.isRegularFile(path)) {
          matches.add(path);
        }
      });
    } catch (IOException e) {
      return matches;
    }
    matches.sort(null);
    return matches;
  }

  private static List<String> append(List<String> path, String... more) {
    List<String> out = new ArrayList<>(path);
    out.addAll(List.of(more));
    return List.copyOf(out);
  }
}
