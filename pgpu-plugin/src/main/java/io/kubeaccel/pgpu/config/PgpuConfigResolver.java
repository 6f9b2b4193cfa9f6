package io.kubeaccel.pgpu.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Merges flags, environment variables and the config file into one {@link PgpuConfig} with NVIDIA's precedence: a
 * flag wins over its environment variable, the variable over the config file, the file over the default. Every bad
 * value is refused with a message naming where it came from.
 */
public final class PgpuConfigResolver {

  /**
   * What the command line gave; null where a flag was not used.
   *
   * @param deviceListStrategies one entry per use of the flag, each possibly comma-separated
   */
  public record Flags(
      String migStrategy,
      Boolean failOnInitError,
      Boolean passDeviceSpecs,
      List<String> deviceListStrategies,
      String deviceIdStrategy,
      String cdiAnnotationPrefix,
      String sharedAllocationPolicy,
      Path configFile) {

    /** No flags given. */
    public static final Flags NONE = new Flags(null, null, null, null, null, null, null, null);
  }

  /**
   * The merged settings and the config file's warnings (keys accepted for compatibility that have no effect).
   *
   * @param configFile the file read, or null
   */
  public record Resolved(PgpuConfig config, Path configFile, List<String> warnings) {}

  private final Flags flags;
  private final Map<String, String> env;
  private final ConfigFileValues file;

  private PgpuConfigResolver(Flags flags, Map<String, String> env, ConfigFileValues file) {
    this.flags = flags;
    this.env = env;
    this.file = file;
  }

  /**
   * Resolves every setting. The config file is {@code --config-file}, else {@code CONFIG_FILE}, else none.
   *
   * @throws ConfigException for the first bad flag, variable or file entry
   */
  public static Resolved resolve(Flags flags, Map<String, String> env) {
    Path configFile = flags.configFile();
    if (configFile == null && present(env.get("CONFIG_FILE"))) {
      configFile = Path.of(env.get("CONFIG_FILE").trim());
    }
    ConfigFileValues file =
        configFile == null ? ConfigFileValues.EMPTY : ConfigFileReader.read(configFile);
    PgpuConfigResolver resolver = new PgpuConfigResolver(flags, env, file);
    PgpuConfig defaults = PgpuConfig.defaults();
    PgpuConfig config = new PgpuConfig(
        resolver.pick(
            "--mig-strategy",
            flags.migStrategy(),
            "MIG_STRATEGY",
            file.migStrategy(),
            defaults.migStrategy(),
            v -> WireEnum.parse(MigStrategy.class, v)),
        resolver.pick(
            "--fail-on-init-error",
            flags.failOnInitError(),
            "FAIL_ON_INIT_ERROR",
            file.failOnInitError(),
            defaults.failOnInitError(),
            PgpuConfigResolver::parseBool),
        resolver.pick(
            "--pass-device-specs",
            flags.passDeviceSpecs(),
            "PASS_DEVICE_SPECS",
            file.passDeviceSpecs(),
            defaults.passDeviceSpecs(),
            PgpuConfigResolver::parseBool),
        resolver.pick(
            "--device-list-strategy",
            joined(flags.deviceListStrategies()),
            "DEVICE_LIST_STRATEGY",
            file.deviceListStrategies(),
            defaults.deviceListStrategies(),
            PgpuConfigResolver::parseStrategies),
        resolver.pick(
            "--device-id-strategy",
            flags.deviceIdStrategy(),
            "DEVICE_ID_STRATEGY",
            file.deviceIdStrategy(),
            defaults.deviceIdStrategy(),
            v -> WireEnum.parse(DeviceIdStrategy.class, v)),
        resolver.pick(
            "--cdi-annotation-prefix",
            flags.cdiAnnotationPrefix(),
            "CDI_ANNOTATION_PREFIX",
            file.cdiAnnotationPrefix(),
            defaults.cdiAnnotationPrefix(),
            PgpuConfigResolver::parsePrefix),
        resolver.pick(
            "--shared-devices-allocation-policy",
            flags.sharedAllocationPolicy(),
            "SHARED_DEVICES_ALLOCATION_POLICY",
            file.sharedAllocationPolicy(),
            defaults.sharedAllocationPolicy(),
            v -> WireEnum.parse(SharedAllocationPolicy.class, v)),
        file.timeSlicing() != null ? file.timeSlicing() : TimeSlicing.NONE);
    return new Resolved(config, configFile, file.warnings());
  }

  /** The flag's value if given, else the variable's, else the file's, else the default. */
  private <T, F> T pick(
      String flag,
      F flagValue,
      String variable,
      T fileValue,
      T fallback,
      Function<String, T> parse) {
    if (flagValue != null) {
      if (!(flagValue instanceof String text)) {
        @SuppressWarnings("unchecked")
        T typed = (T) flagValue;
        return typed;
      }
      try {
        return parse.apply(text);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(flag + ": " + e.getMessage());
      }
    }
    String fromEnv = env.get(variable);
    if (present(fromEnv)) {
      try {
        return parse.apply(fromEnv.trim());
      } catch (IllegalArgumentException e) {
        throw new ConfigException("environment variable " + variable + ": " + e.getMessage());
      }
    }
    return fileValue != null ? fileValue : fallback;
  }

  private static boolean present(String value) {
    return value != null && !value.isBlank();
  }

  private static String joined(List<String> values) {
    return values == null || values.isEmpty() ? null : String.join(",", values);
  }

  /** Booleans as Go's strconv.ParseBool reads them, so NVIDIA's manifests carry over. */
  static boolean parseBool(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "1", "t", "true" -> true;
      case "0", "f", "false" -> false;
      default -> throw new IllegalArgumentException("\"" + value + "\" is not true or false");
    };
  }

  static List<DeviceListStrategy> parseStrategies(String value) {
    List<DeviceListStrategy> strategies = new ArrayList<>();
    for (String part : value.split(",")) {
      DeviceListStrategy strategy = WireEnum.parse(DeviceListStrategy.class, part.trim());
      if (strategies.contains(strategy)) {
        throw new IllegalArgumentException("\"" + part.trim() + "\" given twice");
      }
      strategies.add(strategy);
    }
    return strategies;
  }

  static String parsePrefix(String value) {
    if (!value.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?/")) {
      throw new IllegalArgumentException(
          "\"" + value + "\" is not an annotation key prefix such as cdi.k8s.io/");
    }
    return value;
  }
}
