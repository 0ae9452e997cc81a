package io.eventflow.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;

import org.junit.jupiter.api.Test;

class DemoOptionsTest {

    @Test
    void aFlagTakesNoValueWhereverItStands() {
        DemoOptions first = DemoOptions.parse(new String[] {"--cluster", "--rate", "5"}, Set.of(RunLocal.CLUSTER));
        DemoOptions last = DemoOptions.parse(new String[] {"--rate", "5", "--cluster"}, Set.of(RunLocal.CLUSTER));

        for (DemoOptions options : new DemoOptions[] {first, last}) {
            assertThat(options.has(RunLocal.CLUSTER)).isTrue();
            assertThat(options.getDouble("rate", 20)).isEqualTo(5);
        }
        assertThat(DemoOptions.parse(new String[] {"--rate", "5"}, Set.of(RunLocal.CLUSTER)).has(RunLocal.CLUSTER))
            .isFalse();
    }

    @Test
    void anOptionThatIsNoFlagStillNeedsItsValue() {
        assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--rate"}, Set.of(RunLocal.CLUSTER)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected --option value, found '--rate'");
        assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--cluster"}))
            .as("--cluster is a flag of run-local only").isInstanceOf(IllegalArgumentException.class);
    }
}
