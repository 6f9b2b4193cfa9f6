package io.kubeaccel.agent;

import io.kubeaccel.core.sharing.PlacementPolicy;
import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** Options of the modes that share cards (vGPU, MPS): where their state lives and how they place shares. */
final class ShareOptions {

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      defaultValue = "${env:STATE_DIR:-/var/lib/kubeaccel}",
      description =
          "Where the agent keeps its checkpoint of grants (env STATE_DIR). Default: ${DEFAULT-VALUE}.")
  Path stateDir;

  @Option(
      names = "--placement",
      paramLabel = "POLICY",
      defaultValue = "${env:PLACEMENT:-binpack}",
      converter = PlacementConverter.class,
      description =
          "Card for a share the scheduler extender did not place: binpack or spread (env PLACEMENT)."
              + " Default: ${DEFAULT-VALUE}.")
  PlacementPolicy placement;

  @Option(
      names = "--fail-on-init-error",
      paramLabel = "BOOL",
      arity = "0..1",
      fallbackValue = "true",
      defaultValue = "${env:FAIL_ON_INIT_ERROR:-true}",
      description =
          "Exit 1 when NVML cannot start; with false, serve no devices and retry (env FAIL_ON_INIT_ERROR)."
              + " Default: ${DEFAULT-VALUE}.")
  boolean failOnInitError;

  /** Parses binpack|spread as a usage error when wrong. */
  static final class PlacementConverter implements ITypeConverter<PlacementPolicy> {
    @Override
    public PlacementPolicy convert(String value) {
      try {
        return PlacementPolicy.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
