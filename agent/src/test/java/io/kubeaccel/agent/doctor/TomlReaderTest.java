package io.kubeaccel.agent.doctor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The TOML subset containerd's config.toml needs, and the line numbers of its errors. */
class TomlReaderTest {

  @Test
  void readsQuotedTableHeadersAndTheKeysUnderThem() throws Exception {
    TomlReader.Document doc = TomlReader.parse("""
        version = 2
        [plugins."io.containerd.grpc.v1.cri".containerd]
          default_runtime_name = "nvidia"   # comment
        [plugins.'io.containerd.grpc.v1.cri'.containerd.runtimes.nvidia.options]
          BinaryName = '/usr/bin/nvidia-container-runtime'
          SystemdCgroup = true
        """);
    assertThat(doc.string(
            List.of("plugins", "io.containerd.grpc.v1.cri", "containerd", "default_runtime_name")))
        .contains("nvidia");
    assertThat(doc.string(List.of(
            "plugins",
            "io.containerd.grpc.v1.cri",
            "containerd",
            "runtimes",
            "nvidia",
            "options",
            "BinaryName")))
        .contains("/usr/bin/nvidia-container-runtime");
    assertThat(doc.hasTable(
            List.of("plugins", "io.containerd.grpc.v1.cri", "containerd", "runtimes", "nvidia")))
        .isTrue();
    assertThat(doc.value(List.of("version"))).contains("2");
    assertThat(doc.value(List.of(
            "plugins",
            "io.containerd.grpc.v1.cri",
            "containerd",
            "runtimes",
            "nvidia",
            "options",
            "SystemdCgroup")))
        .contains(true);
  }

  @Test
  void readsDottedKeysInlineTablesEscapesAndMultiLineValues() throws Exception {
    TomlReader.Document doc = TomlReader.parse("""
        imports = [
          "/etc/containerd/conf.d/*.toml",  # drop-ins
          '/opt/extra.toml',
        ]
        a.b = "tab\\there \\u00e9"
        inline = { x = 1, y.z = "deep" }
        text = \"\"\"
        one
        two\"\"\"
        [[proxy_plugins]]
        name = "first"
        [[proxy_plugins]]
        name = "second"
        when = 1979-05-27 07:32:00Z
        """);
    assertThat(doc.value(List.of("imports")))
        .contains(List.of("/etc/containerd/conf.d/*.toml", "/opt/extra.toml"));
    assertThat(doc.string(List.of("a", "b"))).contains("tab\there é");
    assertThat(doc.string(List.of("inline", "y", "z"))).contains("deep");
    assertThat(doc.hasTable(List.of("inline"))).isTrue();
    assertThat(doc.string(List.of("text"))).contains("one\ntwo");
    assertThat(doc.string(List.of("proxy_plugins", "[1]", "name"))).contains("second");
    assertThat(doc.value(List.of("proxy_plugins", "[1]", "when"))).contains("1979-05-27 07:32:00Z");
  }

  @Test
  void aDuplicateKeyIsAnErrorAtItsLine() {
    assertThatThrownBy(() -> TomlReader.parse("[a]\nx = 1\n\nx = 2\n"))
        .isInstanceOfSatisfying(
            TomlReader.SyntaxException.class, e -> assertThat(e.line()).isEqualTo(4))
        .hasMessageContaining("duplicate key \"a.x\"");
  }

  @Test
  void aTableDefinedTwiceIsAnError() {
    assertThatThrownBy(() -> TomlReader.parse("[a]\n[b]\n[a]\n"))
        .isInstanceOfSatisfying(
            TomlReader.SyntaxException.class, e -> assertThat(e.line()).isEqualTo(3))
        .hasMessageContaining("table [a] is defined twice");
  }

  @Test
  void anUnterminatedStringIsAnErrorAtItsLine() {
    assertThatThrownBy(() -> TomlReader.parse("# config\n[a]\nBinaryName = \"/usr/bin/x\n"))
        .isInstanceOfSatisfying(
            TomlReader.SyntaxException.class, e -> assertThat(e.line()).isEqualTo(3))
        .hasMessageContaining("unterminated string");
  }

  @Test
  void anUnquotedStringIsAnError() {
    assertThatThrownBy(() -> TomlReader.parse("name = nvidia\n"))
        .isInstanceOf(TomlReader.SyntaxException.class)
        .hasMessageContaining("invalid value \"nvidia\" (strings need quotes)");
  }

  @Test
  void aMissingEqualsSignAndAnUnclosedHeaderAreErrors() {
    assertThatThrownBy(() -> TomlReader.parse("\n\nkey \"value\"\n"))
        .isInstanceOfSatisfying(
            TomlReader.SyntaxException.class, e -> assertThat(e.line()).isEqualTo(3))
        .hasMessageContaining("expected '=' after the key \"key\"");
    assertThatThrownBy(() -> TomlReader.parse("[plugins.cri\n"))
        .hasMessageContaining("expected ']'");
  }

  @Test
  void twoValuesOnALineAreAnError() {
    assertThatThrownBy(() -> TomlReader.parse("a = 1 b = 2\n"))
        .hasMessageContaining("unexpected \"b = 2\" after the value");
  }

  @Test
  void anUnterminatedArrayIsAnError() {
    assertThatThrownBy(() -> TomlReader.parse("imports = [\"/a\",\n\"/b\"\n"))
        .hasMessageContaining("unterminated array");
  }
}
