package io.suitesync.testsupport;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.listener.PatternTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/** Records every pub/sub message on channels matching a pattern, with its channel. */
public class PubSubRecorder implements AutoCloseable {

    public record Message(String channel, String body) {}

    private final RedisMessageListenerContainer container = new RedisMessageListenerContainer();
    private final List<Message> messages = new CopyOnWriteArrayList<>();

    public PubSubRecorder(RedisConnectionFactory factory, String pattern) {
        container.setConnectionFactory(factory);
        container.addMessageListener((message, p) -> messages.add(new Message(
                new String(message.getChannel(), StandardCharsets.UTF_8),
                new String(message.getBody(), StandardCharsets.UTF_8))), new PatternTopic(pattern));
        container.afterPropertiesSet();
        container.start();
    }

    public List<Message> messages() {
        return List.copyOf(messages);
    }

    public List<String> channels() {
        return messages.stream().map(Message::channel).distinct().sorted().toList();
    }

    @Override
    public void close() throws Exception {
        container.stop();
        container.destroy();
    }
}
