package io.kubeaccel.extender;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubeaccel.core.kube.PodRef;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@link NodeSnapshot#holds}: its UID filter may only ever save a map lookup, never change the answer. */
class NodeSnapshotTest {

  private static PodClaim claim(String uid) {
    return new PodClaim(uid, "ml", "p-" + uid, "node-1", "vgpu", List.of(), true, 1);
  }

  private static Reservation reservation(String uid) {
    return new Reservation(new PodRef(uid, "ml", "r-" + uid), "node-1", null, List.of(), 2);
  }

  @Test
  void holdsAnswersExactlyAsTheClaimsAndReservationsDoThroughEveryChange() {
    Random random = new Random(7);
    List<String> uids = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      uids.add(UUID.nameUUIDFromBytes(Integer.toString(i).getBytes()).toString());
    }
    Set<String> claimed = new HashSet<>();
    Set<String> reserved = new HashSet<>();
    NodeSnapshot snapshot = NodeSnapshot.EMPTY;
    for (int step = 0; step < 5_000; step++) {
      String uid = uids.get(random.nextInt(uids.size()));
      switch (random.nextInt(4)) {
        case 0 -> {
          snapshot = snapshot.withClaim(claim(uid));
          claimed.add(uid);
          // a claim covering the reservation (same time, every container placed) would drop it;
          // these do not
        }
        case 1 -> {
          snapshot = snapshot.withoutClaim(uid);
          claimed.remove(uid);
        }
        case 2 -> {
          snapshot = snapshot.withReservation(reservation(uid));
          reserved.add(uid);
        }
        default -> {
          Reservation held = snapshot.reservations().get(uid);
          if (held != null) {
            snapshot = snapshot.withoutReservation(held);
            reserved.remove(uid);
          }
        }
      }
      for (String probe : uids) {
        boolean expected = claimed.contains(probe) || reserved.contains(probe);
        assertThat(snapshot.holds(probe)).as("step %d, uid %s", step, probe).isEqualTo(expected);
      }
    }
  }

  @Test
  void onANodeOfThirtyPodsTheFilterAloneAnswersMostNoes() {
    NodeSnapshot snapshot = NodeSnapshot.EMPTY;
    for (int i = 0; i < 30; i++) {
      snapshot = snapshot.withClaim(
          claim(UUID.nameUUIDFromBytes(("held-" + i).getBytes()).toString()));
    }
    int passed = 0;
    int probes = 10_000;
    for (int i = 0; i < probes; i++) {
      String other = UUID.nameUUIDFromBytes(("other-" + i).getBytes()).toString();
      assertThat(snapshot.holds(other)).isFalse();
      passed += snapshot.mayHold(other) ? 1 : 0;
    }
    // Two bits of 128 per UID, 30 UIDs: about 14% of other UIDs pass to the maps.
    assertThat(passed).isLessThan(probes / 4);
    assertThat(NodeSnapshot.EMPTY.mayHold("any")).isFalse();
  }
}
