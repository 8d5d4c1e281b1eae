package io.suitesync.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StreamTrimPolicyTest {

    private final StreamTrimPolicy policy = new StreamTrimPolicy(100, 1000);

    @Test
    void aStreamNotLookedAtYetIsTrimmedOnlyByTheHardBoundAndIsDue() {
        policy.argsFor("crm:t:events");
        assertThat(policy.bounded("crm:t:events")).isTrue();
        assertThat(policy.due()).containsExactly("crm:t:events");
    }

    @Test
    void aStreamWithoutGroupsKeepsStreamMaxLengthAndIsDueAgainOnlyOnceWritten() {
        policy.argsFor("crm:t:events");
        policy.due();
        policy.groups("crm:t:events", false);
        assertThat(policy.bounded("crm:t:events")).isFalse();
        assertThat(policy.due()).isEmpty();
        policy.argsFor("crm:t:events");
        assertThat(policy.due()).containsExactly("crm:t:events");
    }

    @Test
    void aStreamWithGroupsIsBoundedAndLookedAtEveryTime() {
        policy.groups("crm:t:events", true);
        assertThat(policy.bounded("crm:t:events")).isTrue();
        assertThat(policy.due()).containsExactly("crm:t:events");
        assertThat(policy.due()).containsExactly("crm:t:events");
    }
}
