package io.suitesync.agent;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.suitesync.agent.CriticalStore.TenantState;
import io.suitesync.common.ConditionalOnRole;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * This replica's critical state and stream positions on local disk ({@code state-dir}/{app}-state.json),
 * written together so a restart resumes each stream where its records are consistent: neither
 * missing an event (the position is never ahead of the records) nor applying a stale one (versions).
 * It also lets a restarted agent answer critical lookups while the hub is down.
 */
@Component("agentStateFile")
@ConditionalOnRole("agent")
public class AgentStateFile {

    private static final Logger log = LoggerFactory.getLogger(AgentStateFile.class);
    private static final TypeReference<Map<String, TenantState>> STATE = new TypeReference<>() {};

    private final CriticalStore store;
    private final Path file;
    private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private final AtomicBoolean dirty = new AtomicBoolean();

    public AgentStateFile(AgentProperties config, CriticalStore store) {
        this.store = store;
        this.file = Path.of(config.stateDir()).resolve(config.appCode() + "-state.json");
    }

    /** Loads the saved tenants into the store; returns which tenants it restored. */
    public java.util.Set<String> restore() {
        if (!Files.exists(file)) {
            return java.util.Set.of();
        }
        try {
            Map<String, TenantState> saved = json.readValue(file.toFile(), STATE);
            saved.forEach(store::load);
            log.info("restored {} tenant(s) from {}", saved.size(), file);
            return saved.keySet();
        } catch (IOException e) {
            // an unreadable file costs a fresh bootstrap, not a wrong cache
            log.warn("state file {} unreadable, bootstrapping from the hub instead: {}", file, e.toString());
            return java.util.Set.of();
        }
    }

    public void markDirty() {
        dirty.set(true);
    }

    /** Writes the state if it changed since the last write (called by the agent-state-flush route). */
    public void flush() {
        if (!dirty.getAndSet(false)) {
            return;
        }
        Map<String, TenantState> state = new LinkedHashMap<>();
        for (String tenant : store.tenants()) {
            TenantState tenantState = store.state(tenant);
            if (tenantState != null) {
                state.put(tenant, tenantState);
            }
        }
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            json.writeValue(tmp.toFile(), state);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            dirty.set(true);
            throw new UncheckedIOException("cannot write agent state to " + file, e);
        }
    }

    public Path path() {
        return file;
    }
}
