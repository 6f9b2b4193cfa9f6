package io.kubeaccel.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The Helm chart renders sound objects for every combination of its switches, and agrees with the code. */
class ChartTest {

  /** One node mode: its DaemonSet, the subcommand it runs, the node label value that selects it. */
  record Mode(String key, String daemonSet, String subcommand, List<String> resources) {}

  static final List<Mode> MODES = List.of(
      new Mode("pgpu", "nvidia-device-plugin-ds", "pgpu", List.of("nvidia.com/gpu")),
      new Mode(
          "vgpu",
          "gpu-manager-daemonset",
          "vgpu",
          List.of("tencent.com/vcuda-core", "tencent.com/vcuda-memory")),
      new Mode(
          "mps",
          "nvidia-mps-device-plugin-daemonset",
          "mps",
          List.of("nvidia.com/mps-core", "nvidia.com/mps-memory")));

  static final String IMAGE = "ghcr.io/kubeaccel/kubeaccel:0.1.0";
  static final String NODE_LABEL = "nvidia-device-enable";

  private static Helm helm;

  @BeforeAll
  static void findHelm() {
    helm = Helm.forRepository();
  }

  /**
   * Values switching modes, the simulated node, TLS and the node-restriction policy on and off together; with the
   * simulated node off, a node whose driver is not where the container toolkit puts it (the GPU operator's driver
   * container, a GKE-style library directory, sysfs and /dev under other paths).
   */
  static Stream<Map<String, Object>> combinations() {
    List<Map<String, Object>> all = new ArrayList<>();
    for (int modes = 0; modes < 8; modes++) {
      for (boolean extras : List.of(false, true)) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < MODES.size(); i++) {
          values.put(MODES.get(i).key(), Map.of("enabled", (modes & (1 << i)) != 0));
        }
        values.put("simulate", Map.of("enabled", extras));
        values.put("extender", Map.of("tls", Map.of("enabled", !extras)));
        values.put("rbac", Map.of("nodeRestrictionPolicy", Map.of("enabled", extras)));
        if (!extras && modes % 2 == 1) {
          values.put(
              "agent",
              Map.of(
                  "driverRoot", "/run/nvidia/driver",
                  "nvmlLibraryDirs", List.of("/home/kubernetes/bin/nvidia/lib64"),
                  "devRoot", "/run/nvidia/driver",
                  "sysRoot", "/host-sys",
                  "jvmDefaults", "none"));
        }
        all.add(values);
      }
    }
    return all.stream();
  }

  @ParameterizedTest
  @MethodSource("combinations")
  void everyCombinationRendersSoundTypedObjects(Map<String, Object> values) {
    Manifests manifests = Manifests.parse(helm.render(values));

    for (Mode mode : MODES) {
      boolean enabled = (Boolean) ((Map<?, ?>) values.get(mode.key())).get("enabled");
      assertThat(manifests.find(DaemonSet.class, mode.daemonSet()))
          .as("%s with %s.enabled=%s", mode.daemonSet(), mode.key(), enabled)
          .matches(found -> found.isPresent() == enabled);
      manifests.find(DaemonSet.class, mode.daemonSet()).ifPresent(set -> checkAgent(mode, set));
      List<String> limited = manifests.ofType(ConfigMap.class).stream()
          .filter(map -> map.getMetadata().getName().startsWith("cf-crl-"))
          .map(map -> map.getData().get("key"))
          .toList();
      assertThat(enabled ? limited : List.of())
          .as("cf-crl ConfigMaps for the resources of %s", mode.key())
          .containsAll(enabled ? mode.resources() : List.of());
    }
    List<String> problems = new ArrayList<>();
    manifests.podTemplates().forEach((where, template) -> {
      problems.addAll(PodChecks.problems(where, template.getSpec(), IMAGE));
      problems.addAll(selectorProblems(manifests, where, template));
    });
    problems.addAll(serviceProblems(manifests));
    problems.addAll(rbacProblems(manifests));
    assertThat(problems).isEmpty();
    checkNamespaces(manifests);
    CrlChecks.check(manifests.ofType(ConfigMap.class));
  }

  @Test
  void lintPassesStrictlyWithDefaultsAndWithEverythingSwitchedOn() {
    Helm.Outcome defaults = helm.lint(Map.of());
    assertThat(defaults.ok()).as(defaults.output()).isTrue();
    Helm.Outcome everything = helm.lint(Map.of(
        "simulate", Map.of("enabled", true),
        "rbac", Map.of("nodeRestrictionPolicy", Map.of("enabled", true))));
    assertThat(everything.ok()).as(everything.output()).isTrue();
  }

  @Test
  void thePlainManifestsAreTheChartsDefaultRenderAndAreSoundThemselves() throws Exception {
    Helm.Outcome check = Helm.run(List.of(
        "env",
        "HELM=" + helm.binary(),
        "bash",
        Repository.root().resolve("deploy/render-manifests.sh").toString(),
        "--check"));
    assertThat(check.ok()).as(check.output()).isTrue();

    Path plain = Repository.root().resolve("deploy/daemonsets");
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = java.nio.file.Files.list(plain)) {
      for (Path file :
          files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        all.append(java.nio.file.Files.readString(file)).append("\n---\n");
      }
    }
    Manifests manifests = Manifests.parse(all.toString());
    for (Mode mode : MODES) {
      checkAgent(mode, manifests.get(DaemonSet.class, mode.daemonSet()));
    }
    assertThat(manifests.names())
        .contains("Deployment/gpu-quota-admission", "Service/gpu-quota-admission")
        .contains("Deployment/nvidia-mps-scheduler-plugin", "Service/nvidia-mps-scheduler-plugin");
    List<String> problems = new ArrayList<>();
    manifests
        .podTemplates()
        .forEach((where, template) ->
            problems.addAll(PodChecks.problems(where, template.getSpec(), IMAGE)));
    assertThat(problems).isEmpty();
  }

  @Test
  void eachServiceAccountGetsExactlyWhatItsCodeCalls() {
    Manifests manifests = Manifests.parse(helm.render(Map.of()));
    // Agents: the node's pods (informer) and their card annotations, their own Node's labels and
    // annotations (get, then a JSON patch), Events about the Node in default.
    assertThat(grants(manifests, "kubeaccel-agent"))
        .containsExactlyInAnyOrder(
            "/pods get *",
            "/pods list *",
            "/pods watch *",
            "/pods patch *",
            "/nodes get *",
            "/nodes patch *",
            "/events create default",
            "/events patch default");
    // Extender: node and pod informers, card annotations on pods, and the Binding.
    assertThat(grants(manifests, "kubeaccel-extender"))
        .containsExactlyInAnyOrder(
            "/nodes get *",
            "/nodes list *",
            "/nodes watch *",
            "/pods get *",
            "/pods list *",
            "/pods watch *",
            "/pods patch *",
            "/bindings create *",
            "/pods/binding create *");
  }

  /** "group/resource verb namespace" for everything bound to a service account ({@code *}: cluster-wide). */
  private static List<String> grants(Manifests manifests, String account) {
    List<String> grants = new ArrayList<>();
    for (ClusterRoleBinding binding : manifests.ofType(ClusterRoleBinding.class)) {
      if (binds(binding.getSubjects(), account)) {
        ClusterRole role = manifests.get(ClusterRole.class, binding.getRoleRef().getName());
        grants.addAll(expand(role.getRules(), "*"));
      }
    }
    for (RoleBinding binding : manifests.ofType(RoleBinding.class)) {
      if (binds(binding.getSubjects(), account)) {
        Role role = manifests.get(Role.class, binding.getRoleRef().getName());
        grants.addAll(expand(role.getRules(), binding.getMetadata().getNamespace()));
      }
    }
    return grants;
  }

  private static boolean binds(List<Subject> subjects, String account) {
    return subjects.stream()
        .anyMatch(s -> s.getKind().equals("ServiceAccount") && s.getName().equals(account));
  }

  private static List<String> expand(List<PolicyRule> rules, String namespace) {
    List<String> grants = new ArrayList<>();
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            grants.add(group + "/" + resource + " " + verb + " " + namespace);
          }
        }
      }
    }
    return grants;
  }

  @Test
  void theSchemaRejectsBadValuesNamingTheKey() {
    assertRejected(Map.of("pgpu", Map.of("enabled", "yes")), "enabled");
    assertRejected(Map.of("vgpu", Map.of("enabeld", true)), "enabeld");
    assertRejected(Map.of("simulate", Map.of("enabled", true, "preset", "no-such-node")), "preset");
    assertRejected(Map.of("noSuchKey", 1), "noSuchKey");
    assertRejected(Map.of("agent", Map.of("jvmDefaults", "off")), "jvmDefaults");
    Helm.Outcome elsewhere = helm.templateIn("gpu-system", Map.of());
    assertThat(elsewhere.ok()).isFalse();
    assertThat(elsewhere.output())
        .contains("kubeaccel installs into kube-system", "not gpu-system");
    assertRejected(Map.of("agent", Map.of("sysRoot", "/sys/..")), "cannot be /");
    assertRejected(Map.of("agent", Map.of("nvmlLibraryDirs", List.of("/proc/1/root"))), "/proc");
  }

  private static void assertRejected(Map<String, ?> values, String key) {
    Helm.Outcome outcome = helm.template(values);
    assertThat(outcome.ok()).as("helm template %s should fail", values).isFalse();
    assertThat(outcome.output()).as("helm's message for %s", values).contains(key);
  }

  /** An agent DaemonSet's fixed contract (SPEC §1, §2): where it runs, how urgently, which host paths it uses. */
  private static void checkAgent(Mode mode, DaemonSet set) {
    PodSpec pod = set.getSpec().getTemplate().getSpec();
    assertThat(pod.getNodeSelector()).as(mode.daemonSet()).containsEntry(NODE_LABEL, mode.key());
    assertThat(pod.getPriorityClassName()).as(mode.daemonSet()).isEqualTo("system-node-critical");
    Container agent = pod.getContainers().stream()
        .filter(container -> IMAGE.equals(container.getImage()))
        .findFirst()
        .orElseThrow(() -> new AssertionError(mode.daemonSet() + " runs no kubeaccel container"));
    CliArguments cli = CliArguments.of(agent);
    assertThat(cli.subcommand()).as(mode.daemonSet()).isEqualTo(mode.subcommand());
    assertThat(agent.getEnv())
        .as("%s gets its node name from the downward API", mode.daemonSet())
        .anyMatch(env -> env.getName().equals("NODE_NAME")
            && env.getValueFrom() != null
            && "spec.nodeName".equals(env.getValueFrom().getFieldRef().getFieldPath()));
    Path plugins = Path.of(cli.value("--device-plugin-dir").orElseThrow());
    assertThat(PodChecks.hostPathOf(pod, agent, plugins))
        .as("%s --device-plugin-dir is the kubelet's", mode.daemonSet())
        .contains(Path.of("/var/lib/kubelet/device-plugins"));
    Path podResources = Path.of(cli.value("--pod-resources-socket").orElseThrow());
    assertThat(PodChecks.hostPathOf(pod, agent, podResources))
        .as("%s --pod-resources-socket is the kubelet's", mode.daemonSet())
        .contains(Path.of("/var/lib/kubelet/pod-resources/kubelet.sock"));
    for (String sameOnHost : List.of("--state-dir", "--hook-path", "--mps-root")) {
      cli.value(sameOnHost)
          .map(Path::of)
          .ifPresent(path -> assertThat(PodChecks.hostPathOf(pod, agent, path))
              .as(
                  "%s %s: the paths it hands to containers are host paths, so it sees them at the same path",
                  mode.daemonSet(), sameOnHost)
              .contains(path));
    }
    var security = agent.getSecurityContext();
    assertThat(security).as("%s securityContext", mode.daemonSet()).isNotNull();
    assertThat(security.getPrivileged())
        .as("%s privileged", mode.daemonSet())
        .isNotEqualTo(Boolean.TRUE);
    assertThat(security.getAllowPrivilegeEscalation()).as(mode.daemonSet()).isFalse();
    assertThat(security.getCapabilities().getDrop()).as(mode.daemonSet()).contains("ALL");
    List<String> added = security.getCapabilities().getAdd() == null
        ? List.of()
        : security.getCapabilities().getAdd();
    assertThat(added)
        .as("%s capabilities: only MPS sets compute modes", mode.daemonSet())
        .isSubsetOf(mode.key().equals("mps") ? Set.of("SYS_ADMIN") : Set.of());
    assertThat(security.getReadOnlyRootFilesystem()).as(mode.daemonSet()).isTrue();
    assertThat(agent.getResources().getRequests())
        .as(mode.daemonSet())
        .containsKeys("cpu", "memory");
    assertThat(agent.getResources().getLimits()).as(mode.daemonSet()).containsKey("memory");
  }

  private static List<String> selectorProblems(
      Manifests manifests, String where, PodTemplateSpec template) {
    Map<String, String> selector = where.startsWith("DaemonSet/")
        ? manifests
            .get(DaemonSet.class, where.substring("DaemonSet/".length()))
            .getSpec()
            .getSelector()
            .getMatchLabels()
        : manifests
            .get(Deployment.class, where.substring("Deployment/".length()))
            .getSpec()
            .getSelector()
            .getMatchLabels();
    Map<String, String> labels = template.getMetadata().getLabels();
    List<String> problems = new ArrayList<>();
    if (selector == null || selector.isEmpty()) {
      problems.add(where + " has no selector labels");
    } else if (!labels.entrySet().containsAll(selector.entrySet())) {
      problems.add(where + " selector " + selector + " does not match its pods' labels " + labels);
    }
    if (!"kubeaccel".equals(labels.get("app.kubernetes.io/name"))) {
      problems.add(
          where + " pods lack app.kubernetes.io/name=kubeaccel (the PodMonitor selects it)");
    }
    String account = template.getSpec().getServiceAccountName();
    if (account == null || manifests.find(ServiceAccount.class, account).isEmpty()) {
      problems.add(where + " runs as service account " + account + ", which is not rendered");
    }
    return problems;
  }

  /** Every Service selects some workload's pods, on a port they have. */
  private static List<String> serviceProblems(Manifests manifests) {
    List<String> problems = new ArrayList<>();
    for (Service service : manifests.ofType(Service.class)) {
      Map<String, String> selector = service.getSpec().getSelector();
      List<PodTemplateSpec> selected = manifests.podTemplates().values().stream()
          .filter(template -> selector != null
              && template.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
          .toList();
      if (selected.isEmpty()) {
        problems.add(
            "Service " + service.getMetadata().getName() + " selects no pods: " + selector);
      }
      for (ServicePort port : service.getSpec().getPorts()) {
        String target = port.getTargetPort() == null
            ? String.valueOf(port.getPort())
            : port.getTargetPort().getStrVal() != null
                ? port.getTargetPort().getStrVal()
                : String.valueOf(port.getTargetPort().getIntVal());
        for (PodTemplateSpec template : selected) {
          if (!PodChecks.hasPort(template.getSpec(), target)) {
            problems.add("Service " + service.getMetadata().getName() + " targets port " + target
                + ", which its pods do not declare");
          }
        }
      }
    }
    return problems;
  }

  /** Bindings refer to rendered roles and accounts; no rule grants a wildcard. */
  private static List<String> rbacProblems(Manifests manifests) {
    List<String> problems = new ArrayList<>();
    for (ClusterRole role : manifests.ofType(ClusterRole.class)) {
      problems.addAll(wildcards("ClusterRole/" + role.getMetadata().getName(), role.getRules()));
    }
    for (Role role : manifests.ofType(Role.class)) {
      problems.addAll(wildcards("Role/" + role.getMetadata().getName(), role.getRules()));
    }
    for (ClusterRoleBinding binding : manifests.ofType(ClusterRoleBinding.class)) {
      problems.addAll(
          bindingProblems(manifests, binding, binding.getRoleRef(), binding.getSubjects()));
    }
    for (RoleBinding binding : manifests.ofType(RoleBinding.class)) {
      problems.addAll(
          bindingProblems(manifests, binding, binding.getRoleRef(), binding.getSubjects()));
    }
    return problems;
  }

  private static List<String> wildcards(String where, List<PolicyRule> rules) {
    List<String> problems = new ArrayList<>();
    for (PolicyRule rule : rules) {
      for (List<String> field :
          List.of(rule.getVerbs(), rule.getResources(), rule.getApiGroups())) {
        if (field != null && field.contains("*")) {
          problems.add(where + " grants a wildcard: " + rule);
        }
      }
    }
    return problems;
  }

  private static List<String> bindingProblems(
      Manifests manifests, HasMetadata binding, RoleRef role, List<Subject> subjects) {
    List<String> problems = new ArrayList<>();
    String where = binding.getKind() + "/" + binding.getMetadata().getName();
    boolean roleRendered = role.getKind().equals("ClusterRole")
        ? manifests.find(ClusterRole.class, role.getName()).isPresent()
        : manifests.find(Role.class, role.getName()).isPresent();
    if (!roleRendered) {
      problems.add(
          where + " binds " + role.getKind() + " " + role.getName() + ", which is not rendered");
    }
    for (Subject subject : subjects) {
      if (subject.getKind().equals("ServiceAccount")
          && manifests.find(ServiceAccount.class, subject.getName()).isEmpty()) {
        problems.add(
            where + " binds service account " + subject.getName() + ", which is not rendered");
      }
    }
    return problems;
  }

  /** Workloads live in the release namespace; Node Events in default; the UI's ConfigMaps in kube-public. */
  private static void checkNamespaces(Manifests manifests) {
    for (HasMetadata object : manifests.all()) {
      String namespace = object.getMetadata().getNamespace();
      if (object instanceof DaemonSet
          || object instanceof Deployment
          || object instanceof Service
          || object instanceof ServiceAccount) {
        assertThat(namespace)
            .as(object.getKind() + "/" + object.getMetadata().getName())
            .isEqualTo(Helm.NAMESPACE);
      }
      if (object instanceof ConfigMap && object.getMetadata().getName().startsWith("cf-crl-")) {
        assertThat(namespace).as(object.getMetadata().getName()).isEqualTo("kube-public");
      }
    }
  }
}
