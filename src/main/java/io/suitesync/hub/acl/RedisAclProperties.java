package io.suitesync.hub.acl;

import io.suitesync.common.ConditionalOnRole;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Redis ACL users of the hub and of each application ({@code suitesync.redis.acl.*}, defaults in
 * config/redis-acl.yml). Passwords come from the environment only and are never printed: the
 * generated lines carry their SHA-256 ({@code #<hash>}). An entry that already is such a hash is
 * taken as it is, so the hub need not know an application's password at all.
 *
 * @param hubUser        the user the hub connects as ({@code spring.data.redis.username} of the hub)
 * @param hubPasswords   the hub user's passwords (two during a rotation)
 * @param passwords      application code → its user's passwords; an application without one gets a
 *                       user that is switched off
 * @param tenants        application code → the only tenants its user may read (single-tenant
 *                       deployments); absent = every tenant
 * @param print          log the {@code ACL SETUSER} lines at start-up
 * @param apply          send them to Redis at start-up (every node of a Cluster), then {@code ACL SAVE}
 *                       when the server has an aclfile
 * @param adminUsername  user that applies them (may run {@code ACL SETUSER}); blank = the hub's own
 *                       connection settings
 * @param adminPassword  that user's password
 */
@Validated
@ConditionalOnRole("hub")
@ConfigurationProperties("suitesync.redis.acl")
public record RedisAclProperties(
        @NotBlank @Pattern(regexp = RedisAclGenerator.NAME, message = "must be letters, digits, '.', '_' or '-'") String hubUser,
        List<@Size(min = RedisAclGenerator.MIN_PASSWORD_LENGTH) String> hubPasswords,
        Map<String, List<@Size(min = RedisAclGenerator.MIN_PASSWORD_LENGTH) String>> passwords,
        Map<String, @NotEmpty List<@Pattern(regexp = RedisAclGenerator.NAME,
                message = "must be letters, digits, '.', '_' or '-' (no glob characters)") String>> tenants,
        boolean print,
        boolean apply,
        String adminUsername,
        String adminPassword) {

    public RedisAclProperties {
        hubPasswords = hubPasswords == null ? List.of() : hubPasswords.stream().filter(p -> !p.isEmpty()).toList();
        passwords = passwords == null ? Map.of() : passwords.entrySet().stream().collect(Collectors.toUnmodifiableMap(
                Map.Entry::getKey, e -> e.getValue().stream().filter(p -> !p.isEmpty()).toList()));
        tenants = tenants == null ? Map.of() : Map.copyOf(tenants);
        adminUsername = adminUsername == null || adminUsername.isBlank() ? null : adminUsername;
        adminPassword = adminPassword == null || adminPassword.isEmpty() ? null : adminPassword;
    }

    @Override
    public String toString() {
        return "RedisAclProperties[hubUser=" + hubUser + ", tenants=" + tenants + ", print=" + print + ", apply=" + apply
                + ", adminUsername=" + adminUsername + ", passwords not shown]";
    }
}
