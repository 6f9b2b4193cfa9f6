package io.kubeaccel.nvml;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Another process using a simulated node, as an MPS agent would: sets a GPU to EXCLUSIVE_PROCESS, says "set", waits
 * for a line on stdin, restores DEFAULT at shutdown, says "restored". Run by {@link NvmlComputeModeTest}.
 */
public final class ComputeModeChild {

  public static void main(String[] args) throws Exception {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try (Nvml nvml = Nvml.open(NvmlLibraryPath.only(Path.of(args[0])))) {
      NvmlDevice gpu = nvml.deviceByUuid(args[1]);
      gpu.setComputeMode(ComputeMode.EXCLUSIVE_PROCESS);
      System.out.println("set " + gpu.computeMode());
      System.out.flush();
      in.readLine();
      gpu.setComputeMode(ComputeMode.DEFAULT);
      System.out.println("restored " + gpu.computeMode());
      System.out.flush();
    }
  }

  private ComputeModeChild() {}
}
