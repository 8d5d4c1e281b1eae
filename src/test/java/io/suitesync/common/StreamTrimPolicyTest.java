package io.suitesync.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StreamTrimPolicyTest {

    private final StreamTrimPolicy policy = new StreamTrimPolicy(1000);

    @Test
    void aStreamNotLookedAtYetCountsAsReadByGroupsAndIsDue() {
        policy.argsFor("crm:t:events");
        assertThat(policy.hasGroups("crm:t:events")).isTrue();
        assertThat(policy.due()).containsExactly("crm:t:events");
    }

    @Test
    void aStreamWithoutGroupsIsDueAgainOnlyOnceWritten() {
        policy.argsFor("crm:t:events");
        policy.due();
        policy.groups("crm:t:events", false);
        assertThat(policy.hasGroups("crm:t:events")).isFalse();
        assertThat(policy.due()).isEmpty();
        policy.argsFor("crm:t:events");
        assertThat(policy.due()).containsExactly("crm:t:events");
    }

    @Test
    void aStreamWithGroupsIsLookedAtEveryTime() {
        policy.groups("crm:t:events", true);
        assertThat(policy.hasGroups("crm:t:events")).isTrue();
        assertThat(policy.due()).containsExactly("crm:t:events");
        assertThat(policy.due()).containsExactly("crm:t:events");
    }

    @Test
    void xaddTrimsEveryStreamOnlyByTheHardBoundWhateverTheLastLookSaw() {
        policy.groups("crm:t:events", false);
        // a group may have been created since that look: trimming to stream-max-length here lost its entries
        assertThat(policy.argsFor("crm:t:events")).isSameAs(policy.argsFor("crm:other:events"));
    }
}
