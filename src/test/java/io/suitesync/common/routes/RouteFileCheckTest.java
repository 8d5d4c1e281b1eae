package io.suitesync.common.routes;

import static org.assertj.core.api.Assertions.assertThat;

import io.suitesync.common.routes.RouteFileCheck.FileContent;
import io.suitesync.common.routes.RouteFileCheck.FileRoute;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouteFileCheckTest {

    private static final Set<String> BUILT_IN = Set.of("change-log-relay", "health");
    private static final Map<String, String> OWNERS = Map.of("operator-tail", "tail.yaml");

    private static List<String> problems(String file, FileRoute... routes) {
        return RouteFileCheck.problems(file, new FileContent(List.of(routes), false, false), BUILT_IN, OWNERS);
    }

    @Test
    void newRoutesAndTheFilesOwnRoutesAreAccepted() {
        assertThat(problems("tail.yaml", new FileRoute("operator-tail", "timer:t"), new FileRoute("operator-new", "direct:n")))
                .isEmpty();
    }

    @Test
    void builtInIdIsRefused() {
        assertThat(problems("evil.yaml", new FileRoute("change-log-relay", "timer:x")))
                .containsExactly("route id 'change-log-relay' belongs to a built-in route, which cannot be replaced from the routes folder");
    }

    @Test
    void anotherFilesIdIsRefused() {
        assertThat(problems("copy.yaml", new FileRoute("operator-tail", "timer:t")))
                .containsExactly("route id 'operator-tail' is already defined in tail.yaml");
    }

    @Test
    void routeWithoutIdAndIdUsedTwiceAreRefused() {
        assertThat(problems("x.yaml", new FileRoute(null, "timer:a"), new FileRoute("dup", "direct:a"), new FileRoute("dup", "direct:b")))
                .containsExactly("the route from 'timer:a' has no id: give every route an id",
                        "route id 'dup' is used twice in the file");
    }

    @Test
    void fileWithoutRoutesIsRefused() {
        assertThat(problems("empty.yaml")).containsExactly("it declares no routes: delete the file to stop its routes");
    }

    @Test
    void restAndRouteConfigurationAreStartUpOnly() {
        assertThat(RouteFileCheck.problems("api.yaml", new FileContent(List.of(), true, true), BUILT_IN, OWNERS))
                .containsExactly("it declares REST endpoints, which are read at start-up only: restart to change them",
                        "it declares a route configuration, which is read at start-up only: restart to change it");
    }
}
