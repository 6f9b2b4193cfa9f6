package io.kubeaccel.nvml;

import com.sun.jna.Native;
import java.nio.file.Path;

/**
 * The fake library's C symbols for tests that check NVML's C-level semantics (NULL pointers, short buffers, reference
 * counting) or the fake-only exports, below the typed API.
 */
interface RawFakeLibrary extends NvmlLibrary {

  int kubeaccelFakeNvmlSizeof(String typeName);

  int kubeaccelFakeNvmlOffsetof(String typeName, String fieldName);

  String kubeaccelFakeNvmlLastError();

  /** The copy of the fake in {@code directory}: the same loaded library {@link Nvml#open} uses for it. */
  static RawFakeLibrary in(Path directory) {
    return Native.load(
        directory.resolve("libnvidia-ml.so.1").toAbsolutePath().toString(), RawFakeLibrary.class);
  }
}
