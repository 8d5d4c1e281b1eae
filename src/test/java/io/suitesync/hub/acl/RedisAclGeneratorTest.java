package io.suitesync.hub.acl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.suitesync.hub.acl.RedisAclGenerator.AclUser;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.handler.IgnoreTopLevelConverterNotFoundBindHandler;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.validation.beanvalidation.LocalValidatorFactoryBean;

class RedisAclGeneratorTest {

    static final String HUB_PW = "hub-password-0123456789";
    static final String HUB_HASH = "#82483f9c59a6b241c15ff8a7121abb678931b909ac2b49070e18a51be676b318";
    static final String CRM_PW = "crm-password-0123456789";
    static final String CRM_HASH = "#61109ad19a09224c58c3d3f831e8f2cb2e9387805cee3c14c8f2cf729d6f60ed";
    static final String CRM_OLD_PW = "crm-old-password-0123456";
    static final String CRM_OLD_HASH = "#a7727ae7652252fcaf8617a15deb64c87d38bcaf6c6399522e5938a67e41db3e";

    static final String CONNECTION = "+@connection -@admin -@dangerous";
    static final String HUB_COMMANDS = CONNECTION + " +xadd +xtrim +publish +xread +xrange +xrevrange +xlen +xinfo +xpending +exists";
    static final String HUB_MARKERS = " (~suitesync:hub:* +set +exists)";
    static final String APP_COMMANDS = CONNECTION + " +exists +xread +xreadgroup +xack +xinfo +xrange +xrevrange +xlen"
            + " +xpending +xclaim +xautoclaim +xgroup|create +xgroup|createconsumer +xgroup|delconsumer +xgroup|setid"
            + " +subscribe +psubscribe +unsubscribe +punsubscribe";
    static final String CLUSTER = " +cluster|slots +cluster|shards +cluster|nodes +cluster|info +cluster|myid +info";

    static final List<String> APPS = List.of("crm", "hrms");

    static RedisAclProperties props(Map<String, List<String>> passwords, Map<String, List<String>> tenants) {
        return new RedisAclProperties("suitesync-hub", List.of(HUB_PW), passwords, tenants, false, false, null, null);
    }

    static Stream<Arguments> users() {
        return Stream.of(
                Arguments.of("every tenant of the application, standalone", false,
                        props(Map.of("crm", List.of(CRM_PW)), Map.of()),
                        List.of("ACL SETUSER suitesync-hub reset on " + HUB_HASH + " ~crm:* ~hrms:* &crm:* &hrms:* " + HUB_COMMANDS + HUB_MARKERS,
                                "ACL SETUSER crm reset on " + CRM_HASH + " ~crm:* &crm:* " + APP_COMMANDS,
                                "ACL SETUSER hrms reset off ~hrms:* &hrms:* " + APP_COMMANDS)),
                Arguments.of("single-tenant deployment: only the listed tenants' keys and channels", false,
                        props(Map.of("crm", List.of(CRM_PW)), Map.of("crm", List.of("acme", "beta-2"))),
                        List.of("ACL SETUSER suitesync-hub reset on " + HUB_HASH + " ~crm:* ~hrms:* &crm:* &hrms:* " + HUB_COMMANDS + HUB_MARKERS,
                                "ACL SETUSER crm reset on " + CRM_HASH + " ~crm:acme:* ~crm:beta-2:* &crm:acme:* &crm:beta-2:* "
                                        + APP_COMMANDS,
                                "ACL SETUSER hrms reset off ~hrms:* &hrms:* " + APP_COMMANDS)),
                Arguments.of("rotation: the new and the old password both open the user; a given hash is kept", false,
                        props(Map.of("crm", List.of(CRM_PW, CRM_OLD_PW), "hrms", List.of(CRM_OLD_HASH)), Map.of()),
                        List.of("ACL SETUSER suitesync-hub reset on " + HUB_HASH + " ~crm:* ~hrms:* &crm:* &hrms:* " + HUB_COMMANDS + HUB_MARKERS,
                                "ACL SETUSER crm reset on " + CRM_HASH + " " + CRM_OLD_HASH + " ~crm:* &crm:* " + APP_COMMANDS,
                                "ACL SETUSER hrms reset on " + CRM_OLD_HASH + " ~hrms:* &hrms:* " + APP_COMMANDS)),
                Arguments.of("Redis Cluster: topology commands for the clients", true,
                        props(Map.of("crm", List.of(CRM_PW)), Map.of()),
                        List.of("ACL SETUSER suitesync-hub reset on " + HUB_HASH + " ~crm:* ~hrms:* &crm:* &hrms:* " + HUB_COMMANDS + CLUSTER + HUB_MARKERS,
                                "ACL SETUSER crm reset on " + CRM_HASH + " ~crm:* &crm:* " + APP_COMMANDS + CLUSTER,
                                "ACL SETUSER hrms reset off ~hrms:* &hrms:* " + APP_COMMANDS + CLUSTER)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("users")
    void generatesOneSetuserPerUser(String name, boolean cluster, RedisAclProperties acl, List<String> expected) {
        List<AclUser> users = new RedisAclGenerator(APPS, cluster).users(acl);
        assertThat(users).extracting(AclUser::command).containsExactlyElementsOf(expected);
        assertThat(users).extracting(AclUser::command).noneMatch(c -> c.contains(HUB_PW) || c.contains(CRM_PW) || c.contains(CRM_OLD_PW));
    }

    @Test
    void theSameRulesServeRedisCliTheAclfileAndTheAclCommand() {
        AclUser crm = new RedisAclGenerator(APPS, false).users(props(Map.of("crm", List.of(CRM_PW)), Map.of())).get(1);
        assertThat(crm.aclFileLine()).isEqualTo("user crm reset on " + CRM_HASH + " ~crm:* &crm:* " + APP_COMMANDS);
        assertThat(crm.arguments()).startsWith("SETUSER", "crm", "reset", "on", CRM_HASH).endsWith("+punsubscribe");
        assertThat(crm.enabled()).isTrue();
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of(APPS, props(Map.of(), Map.of("sales", List.of("acme"))),
                        "suitesync.redis.acl.tenants.sales: 'sales' is not an application"),
                Arguments.of(APPS, props(Map.of("sales", List.of(CRM_PW)), Map.of()),
                        "suitesync.redis.acl.passwords.sales: 'sales' is not an application"),
                Arguments.of(APPS, new RedisAclProperties("crm", List.of(), Map.of(), Map.of(), false, false, null, null),
                        "suitesync.redis.acl.hub-user: 'crm' is the name of an application's user"),
                Arguments.of(APPS, new RedisAclProperties("default", List.of(), Map.of(), Map.of(), false, false, null, null),
                        "suitesync.redis.acl.hub-user: the hub must not run as Redis's 'default' user"),
                Arguments.of(List.of("crm", "fin*"), props(Map.of(), Map.of()),
                        "suitesync.hub.applications: 'fin*' cannot name a Redis user and key pattern"),
                Arguments.of(List.of("crm", "default"), props(Map.of(), Map.of()),
                        "suitesync.hub.applications: 'default' cannot name a Redis user and key pattern"));
    }

    @ParameterizedTest
    @MethodSource("refused")
    void aBadValueIsRefusedNamingItsKey(List<String> apps, RedisAclProperties acl, String message) {
        assertThatThrownBy(() -> new RedisAclGenerator(apps, false).users(acl))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message);
    }

    @Test
    void passwordsAndTenantsBindFromTheEnvironment() {
        RedisAclProperties acl = bind(Map.of(
                "SUITESYNC_REDIS_ACL_PASSWORDS_CRM", CRM_PW + "," + CRM_OLD_PW,
                "SUITESYNC_REDIS_ACL_TENANTS_CRM", "acme",
                "SUITESYNC_REDIS_ACL_HUBPASSWORDS", HUB_PW));
        assertThat(acl.passwords()).containsEntry("crm", List.of(CRM_PW, CRM_OLD_PW));
        assertThat(acl.tenants()).containsEntry("crm", List.of("acme"));
        assertThat(acl.hubPasswords()).containsExactly(HUB_PW);
        assertThat(acl.toString()).doesNotContain(CRM_PW).doesNotContain(HUB_PW);
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of("SUITESYNC_REDIS_ACL_PASSWORDS_CRM", "short", "suitesync.redis.acl.passwords[crm][0]"),
                Arguments.of("SUITESYNC_REDIS_ACL_TENANTS_CRM", "acme*", "suitesync.redis.acl.tenants[crm][0]"),
                Arguments.of("SUITESYNC_REDIS_ACL_HUBUSER", "hub user", "suitesync.redis.acl.hubUser"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void aBadEnvironmentValueFailsBindingNamingTheKey(String variable, String value, String key) {
        assertThatThrownBy(() -> bind(Map.of(variable, value))).isInstanceOf(BindException.class)
                .cause().hasMessageContaining(key);
    }

    private static RedisAclProperties bind(Map<String, Object> env) {
        StandardEnvironment environment = new StandardEnvironment();
        // the name tells Spring to map SUITESYNC_REDIS_ACL_... to suitesync.redis.acl...
        environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, env));
        environment.getPropertySources().addLast(new MapPropertySource("defaults", Map.of("suitesync.redis.acl.hub-user", "suitesync-hub")));
        try (LocalValidatorFactoryBean validator = new LocalValidatorFactoryBean()) {
            validator.afterPropertiesSet();
            return Binder.get(environment).bindOrCreate("suitesync.redis.acl", Bindable.of(RedisAclProperties.class),
                    new ValidationBindHandler(new IgnoreTopLevelConverterNotFoundBindHandler(), validator));
        }
    }
}
