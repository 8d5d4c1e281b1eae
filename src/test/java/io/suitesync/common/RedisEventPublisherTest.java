package io.suitesync.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.RedisSystemException;

/** Which Redis errors set one event aside and which fail the whole write (RelayGuaranteesIT shows the outcome). */
class RedisEventPublisherTest {

    @Test
    void anErrorAboutOneKeyRefusesThatEventAlone() {
        assertThat(RedisEventPublisher.refusal(new RedisCommandExecutionException(
                "WRONGTYPE Operation against a key holding the wrong kind of value")))
                .isEqualTo("WRONGTYPE Operation against a key holding the wrong kind of value");
    }

    @Test
    void anErrorOfTheWholeServerOrConnectionFailsTheWrite() {
        assertThatThrownBy(() -> RedisEventPublisher.refusal(new RedisCommandExecutionException(
                "OOM command not allowed when used memory > 'maxmemory'.")))
                .isInstanceOf(RedisSystemException.class).hasMessageContaining("OOM");
        assertThatThrownBy(() -> RedisEventPublisher.refusal(new RedisCommandExecutionException(
                "READONLY You can't write against a read only replica.")))
                .isInstanceOf(RedisSystemException.class);
        assertThatThrownBy(() -> RedisEventPublisher.refusal(new RedisConnectionException("Connection closed")))
                .isInstanceOf(RedisSystemException.class).hasMessageContaining("Connection closed");
    }
}
