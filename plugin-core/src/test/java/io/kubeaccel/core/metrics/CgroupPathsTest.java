package io.kubeaccel.core.metrics;

import static io.kubeaccel.core.metrics.CgroupLayouts.CONTAINER_ID;
import static io.kubeaccel.core.metrics.CgroupLayouts.POD_UID;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class CgroupPathsTest {

  private static final CgroupContainer EXPECTED = new CgroupContainer(POD_UID, CONTAINER_ID);

  @Test
  void cgroupV1WithTheCgroupfsDriverNamesThePodAndContainer() {
    assertThat(CgroupPaths.parseFile(CgroupLayouts.v1Cgroupfs(POD_UID, CONTAINER_ID)))
        .contains(EXPECTED);
  }

  @Test
  void cgroupV2WithTheCgroupfsDriverAndAGuaranteedPodHasNoQosLevel() {
    assertThat(CgroupPaths.parseFile(CgroupLayouts.v2CgroupfsGuaranteed(POD_UID, CONTAINER_ID)))
        .contains(EXPECTED);
  }

  @Test
  void theSystemdDriverSpellsThePodUidWithUnderscores() {
    assertThat(CgroupPaths.parseFile(CgroupLayouts.v2SystemdContainerd(POD_UID, CONTAINER_ID)))
        .contains(EXPECTED);
  }

  @Test
  void dockerAndCrioScopesAreContainersToo() {
    assertThat(CgroupPaths.parseFile(CgroupLayouts.v1SystemdDocker(POD_UID, CONTAINER_ID)))
        .contains(EXPECTED);
    assertThat(CgroupPaths.parseFile(CgroupLayouts.v2SystemdCrio(POD_UID, CONTAINER_ID)))
        .contains(EXPECTED);
  }

  @Test
  void nestedPathsSeenFromACgroupNamespaceStillNameThePod() {
    assertThat(CgroupPaths.parseFile(CgroupLayouts.v2NamespacedKind(POD_UID, CONTAINER_ID)))
        .contains(EXPECTED);
    assertThat(CgroupPaths.parsePath(
            "/docker/0123456789ab/kubepods/besteffort/pod" + POD_UID + "/" + CONTAINER_ID))
        .contains(EXPECTED);
  }

  @Test
  void hostProcessesBelongToNoContainer() {
    assertThat(CgroupPaths.parseFile(CgroupLayouts.host())).isEmpty();
    assertThat(CgroupPaths.parseFile("0::/\n")).isEmpty();
    assertThat(CgroupPaths.parseFile("")).isEmpty();
    // A pod-looking segment outside kubepods is somebody else's naming.
    assertThat(CgroupPaths.parsePath("/user.slice/pod" + POD_UID + "/" + CONTAINER_ID))
        .isEmpty();
  }

  @Test
  void crioConmonIsNotTheContainerButThePodIsStillKnown() {
    assertThat(CgroupPaths.parsePath("/kubepods.slice/kubepods-pod"
            + CgroupLayouts.underscored(POD_UID) + ".slice/crio-conmon-" + CONTAINER_ID + ".scope"))
        .contains(new CgroupContainer(POD_UID, ""));
  }

  @Test
  void staticPodsHaveAConfigHashForUidAndUpperCaseIsNormalised() {
    String hash = "0f3c9a1b2d4e5f60718293a4b5c6d7e8";
    assertThat(CgroupPaths.parsePath("/kubepods/burstable/pod" + hash + "/" + CONTAINER_ID))
        .contains(new CgroupContainer(hash, CONTAINER_ID));
    assertThat(CgroupPaths.parsePath(
            "/kubepods/pod" + POD_UID.toUpperCase() + "/" + CONTAINER_ID.toUpperCase()))
        .contains(EXPECTED);
  }

  @Test
  void theFirstHierarchyNamingAPodWins() {
    String file = "0::/\n5:memory:/kubepods/pod" + POD_UID + "/" + CONTAINER_ID + "\n";
    assertThat(CgroupPaths.parseFile(file)).isEqualTo(Optional.of(EXPECTED));
  }
}
