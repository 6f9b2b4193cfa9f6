package io.kubeaccel.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the repository is: the nearest directory above this module holding {@code deploy/} and the parent pom. */
final class Repository {

  private Repository() {}

  static Path root() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path candidate = dir; candidate != null; candidate = candidate.getParent()) {
      if (Files.isDirectory(candidate.resolve("deploy"))
          && Files.isRegularFile(candidate.resolve("pom.xml"))) {
        return candidate;
      }
    }
    throw new IllegalStateException("no repository root above " + dir);
  }
}
