package io.kubeaccel.pgpu.config;

import io.kubeaccel.pgpu.config.TimeSlicing.ReplicaDevices;
import io.kubeaccel.pgpu.config.TimeSlicing.ReplicatedResource;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads NVIDIA's device-plugin config file format, {@code version: v1}: {@code flags} (with {@code plugin}) and {@code
 * sharing.timeSlicing}. Keys NVIDIA's plugin knows but this agent does not act on are accepted with a warning, so a
 * config written for NVIDIA's plugin works unchanged; anything else unknown is an error naming file, line and key.
 */
public final class ConfigFileReader {

  /** Larger than any sane config; refuse instead of parsing a mistaken multi-megabyte file. */
  static final long MAX_BYTES = 256 * 1024;

  private static final Set<String> ROOT =
      Set.of("version", "flags", "sharing", "resources", "imex");
  private static final Set<String> FLAGS = Set.of(
      "migStrategy",
      "failOnInitError",
      "plugin",
      "nvidiaDriverRoot",
      "nvidiaDevRoot",
      "mpsRoot",
      "gdsEnabled",
      "mofedEnabled",
      "gdrcopyEnabled",
      "restartOnDeviceUnhealthy",
      "gfd");
  private static final Set<String> PLUGIN = Set.of(
      "passDeviceSpecs",
      "deviceListStrategy",
      "deviceIDStrategy",
      "cdiAnnotationPrefix",
      "sharedDevicesAllocationPolicy",
      "nvidiaCTKPath",
      "containerDriverRoot");
  /** Known to NVIDIA's plugin, no effect here (driver and dev roots are this agent's command-line options). */
  private static final Set<String> IGNORED = Set.of(
      "resources",
      "imex",
      "flags.nvidiaDriverRoot",
      "flags.nvidiaDevRoot",
      "flags.mpsRoot",
      "flags.gdsEnabled",
      "flags.mofedEnabled",
      "flags.gdrcopyEnabled",
      "flags.restartOnDeviceUnhealthy",
      "flags.gfd",
      "flags.plugin.nvidiaCTKPath",
      "flags.plugin.containerDriverRoot");

  private static final Set<String> SHARING = Set.of("timeSlicing", "mps");
  private static final Set<String> TIME_SLICING =
      Set.of("renameByDefault", "failRequestsGreaterThanOne", "resources");
  private static final Set<String> RESOURCE = Set.of("name", "rename", "devices", "replicas");
  private static final Pattern RESOURCE_NAME =
      Pattern.compile("nvidia\\.com/[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
  private static final Pattern DEVICE_REF =
      Pattern.compile("\\d+|\\d+:\\d+|(GPU|MIG)-[0-9a-fA-F][-0-9a-fA-F/]*");

  private ConfigFileReader() {}

  /**
   * Reads and validates {@code file}.
   *
   * @throws ConfigException naming the file, line and key path of the first problem
   */
  public static ConfigFileValues read(Path file) {
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new ConfigException(
            file + ": larger than " + MAX_BYTES + " bytes; is this the config file?");
      }
      try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(10);
        Node root = new Yaml(options).compose(reader);
        if (root == null) {
          throw new ConfigException(file + ": empty; expected at least \"version: v1\"");
        }
        return new ConfigFileReader.Walk(new YamlReader(file)).root(root);
      }
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 0;
      throw new ConfigException(file + ":" + line + ": not valid YAML: " + e.getProblem());
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage());
    }
  }

  /** One pass over a file's tree. */
  private static final class Walk {
    private final YamlReader yaml;
    private final List<String> warnings = new ArrayList<>();

    Walk(YamlReader yaml) {
      this.yaml = yaml;
    }

    ConfigFileValues root(Node root) {
      Map<String, Node> entries = yaml.mapping(root, "", ROOT);
      Node version = entries.get("version");
      if (version == null) {
        throw yaml.error(root, "version", "missing; this agent reads version: v1");
      }
      if (!yaml.string(version, "version").equals("v1")) {
        throw yaml.error(version, "version", "unsupported; this agent reads version: v1");
      }
      ignore(entries, "");
      Values values = new Values();
      if (entries.containsKey("flags")) {
        flags(entries.get("flags"), values);
      }
      if (entries.containsKey("sharing")) {
        values.timeSlicing = sharing(entries.get("sharing"));
      }
      return values.build(warnings);
    }

    private void flags(Node node, Values values) {
      Map<String, Node> flags = yaml.mapping(node, "flags", FLAGS);
      ignore(flags, "flags.");
      if (flags.containsKey("migStrategy")) {
        values.migStrategy =
            yaml.enumValue(flags.get("migStrategy"), "flags.migStrategy", MigStrategy.class);
      }
      if (flags.containsKey("failOnInitError")) {
        values.failOnInitError = yaml.bool(flags.get("failOnInitError"), "flags.failOnInitError");
      }
      if (flags.containsKey("plugin")) {
        plugin(flags.get("plugin"), values);
      }
    }

    private void plugin(Node node, Values values) {
      Map<String, Node> plugin = yaml.mapping(node, "flags.plugin", PLUGIN);
      ignore(plugin, "flags.plugin.");
      String at = "flags.plugin.";
      if (plugin.containsKey("passDeviceSpecs")) {
        values.passDeviceSpecs = yaml.bool(plugin.get("passDeviceSpecs"), at + "passDeviceSpecs");
      }
      if (plugin.containsKey("deviceListStrategy")) {
        List<DeviceListStrategy> strategies = new ArrayList<>();
        String path = at + "deviceListStrategy";
        for (Node item : yaml.list(plugin.get("deviceListStrategy"), path)) {
          DeviceListStrategy strategy = yaml.enumValue(item, path, DeviceListStrategy.class);
          if (strategies.contains(strategy)) {
            throw yaml.error(item, path, "\"" + strategy.wireName() + "\" given twice");
          }
          strategies.add(strategy);
        }
        if (strategies.isEmpty()) {
          throw yaml.error(
              plugin.get("deviceListStrategy"), path, "empty; name at least one strategy");
        }
        values.deviceListStrategies = strategies;
      }
      if (plugin.containsKey("deviceIDStrategy")) {
        values.deviceIdStrategy = yaml.enumValue(
            plugin.get("deviceIDStrategy"), at + "deviceIDStrategy", DeviceIdStrategy.class);
      }
      if (plugin.containsKey("cdiAnnotationPrefix")) {
        values.cdiAnnotationPrefix =
            yaml.string(plugin.get("cdiAnnotationPrefix"), at + "cdiAnnotationPrefix");
      }
      if (plugin.containsKey("sharedDevicesAllocationPolicy")) {
        values.sharedAllocationPolicy = yaml.enumValue(
            plugin.get("sharedDevicesAllocationPolicy"),
            at + "sharedDevicesAllocationPolicy",
            SharedAllocationPolicy.class);
      }
    }

    private TimeSlicing sharing(Node node) {
      Map<String, Node> sharing = yaml.mapping(node, "sharing", SHARING);
      if (sharing.containsKey("mps")) {
        throw yaml.error(
            sharing.get("mps"),
            "sharing.mps",
            "MPS sharing is a node mode of its own here: label the node nvidia-device-enable=mps");
      }
      if (!sharing.containsKey("timeSlicing")) {
        return null;
      }
      String path = "sharing.timeSlicing";
      Map<String, Node> slicing = yaml.mapping(sharing.get("timeSlicing"), path, TIME_SLICING);
      boolean rename = slicing.containsKey("renameByDefault")
          && yaml.bool(slicing.get("renameByDefault"), path + ".renameByDefault");
      boolean failMany = slicing.containsKey("failRequestsGreaterThanOne")
          && yaml.bool(
              slicing.get("failRequestsGreaterThanOne"), path + ".failRequestsGreaterThanOne");
      if (!slicing.containsKey("resources")) {
        throw yaml.error(
            sharing.get("timeSlicing"), path + ".resources", "missing; name what to replicate");
      }
      List<ReplicatedResource> resources = new ArrayList<>();
      Set<String> names = new HashSet<>();
      List<Node> items = yaml.list(slicing.get("resources"), path + ".resources");
      for (int i = 0; i < items.size(); i++) {
        ReplicatedResource resource = resource(items.get(i), path + ".resources[" + i + "]");
        if (!names.add(resource.name())) {
          throw yaml.error(
              items.get(i),
              path + ".resources[" + i + "].name",
              "\"" + resource.name() + "\" given twice");
        }
        resources.add(resource);
      }
      if (resources.isEmpty()) {
        throw yaml.error(
            slicing.get("resources"), path + ".resources", "empty; name what to replicate");
      }
      return new TimeSlicing(rename, failMany, resources);
    }

    private ReplicatedResource resource(Node node, String path) {
      Map<String, Node> entries = yaml.mapping(node, path, RESOURCE);
      if (!entries.containsKey("name")) {
        throw yaml.error(node, path + ".name", "missing; e.g. nvidia.com/gpu");
      }
      String name = resourceName(entries.get("name"), path + ".name");
      String rename = entries.containsKey("rename")
          ? resourceName(entries.get("rename"), path + ".rename")
          : null;
      if (!entries.containsKey("replicas")) {
        throw yaml.error(
            node, path + ".replicas", "missing; how many replicas of each card (at least 2)");
      }
      int replicas = yaml.integer(entries.get("replicas"), path + ".replicas");
      if (replicas < 2) {
        throw yaml.error(
            entries.get("replicas"), path + ".replicas", "must be at least 2, got " + replicas);
      }
      ReplicaDevices devices = entries.containsKey("devices")
          ? devices(entries.get("devices"), path + ".devices")
          : new ReplicaDevices.All();
      return new ReplicatedResource(name, rename, devices, replicas);
    }

    private String resourceName(Node node, String path) {
      String name = yaml.string(node, path);
      if (name.length() > 63 || !RESOURCE_NAME.matcher(name).matches()) {
        throw yaml.error(
            node,
            path,
            "\"" + name + "\" is not a resource name under nvidia.com/ (e.g. nvidia.com/gpu)");
      }
      return name;
    }

    private ReplicaDevices devices(Node node, String path) {
      if (node instanceof ScalarNode) {
        String value = yaml.string(node, path);
        if (value.equals("all")) {
          return new ReplicaDevices.All();
        }
        int count = yaml.integer(node, path);
        if (count < 1) {
          throw yaml.error(node, path, "a count of devices must be at least 1, got " + count);
        }
        return new ReplicaDevices.Count(count);
      }
      List<String> refs = new ArrayList<>();
      for (Node item : yaml.list(node, path)) {
        String ref = yaml.string(item, path);
        if (!DEVICE_REF.matcher(ref).matches()) {
          throw yaml.error(
              item,
              path,
              "\"" + ref + "\" is not a GPU index (0), MIG index (0:1) or UUID (GPU-..., MIG-...)");
        }
        if (refs.contains(ref)) {
          throw yaml.error(item, path, "\"" + ref + "\" given twice");
        }
        refs.add(ref);
      }
      if (refs.isEmpty()) {
        throw yaml.error(node, path, "empty; use all, a count, or a list of devices");
      }
      return new ReplicaDevices.Listed(refs);
    }

    private void ignore(Map<String, Node> entries, String prefix) {
      for (String key : entries.keySet()) {
        if (IGNORED.contains(prefix + key)) {
          warnings.add(yaml.error(
                  entries.get(key), prefix + key, "accepted for compatibility, has no effect here")
              .getMessage());
        }
      }
    }
  }

  /** Mutable collector of what the file sets. */
  private static final class Values {
    MigStrategy migStrategy;
    Boolean failOnInitError;
    Boolean passDeviceSpecs;
    List<DeviceListStrategy> deviceListStrategies;
    DeviceIdStrategy deviceIdStrategy;
    String cdiAnnotationPrefix;
    SharedAllocationPolicy sharedAllocationPolicy;
    TimeSlicing timeSlicing;

    ConfigFileValues build(List<String> warnings) {
      return new ConfigFileValues(
          migStrategy,
          failOnInitError,
          passDeviceSpecs,
          deviceListStrategies,
          deviceIdStrategy,
          cdiAnnotationPrefix,
          sharedAllocationPolicy,
          timeSlicing,
          List.copyOf(warnings));
    }
  }
}
