package io.kubeaccel.agent.doctor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/** Whether a path is a unix domain socket, from its file mode. */
final class UnixSockets {

  /** S_IFMT and S_IFSOCK of stat(2). */
  private static final int FILE_TYPE_MASK = 0170000;

  private static final int SOCKET_TYPE = 0140000;

  private UnixSockets() {}

  /** True for a socket; false for anything else, and for a path that cannot be read. */
  static boolean isSocket(Path path) {
    try {
      Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      return mode instanceof Integer bits && (bits & FILE_TYPE_MASK) == SOCKET_TYPE;
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      // No "unix" attribute view on this platform: "other" is the best it can tell (socket, fifo or
      // device).
      try {
        return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
            .isOther();
      } catch (IOException unreadable) {
        return false;
      }
    } catch (IOException e) {
      return false;
    }
  }
}
