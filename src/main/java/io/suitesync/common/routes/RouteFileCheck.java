package io.suitesync.common.routes;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides whether a changed operator route file may replace what its previous version started.
 * It may not when a route has no id (a reload could not tell it from the previous one), two of its
 * routes share an id, an id belongs to a built-in route (the relay carries the delivery guarantee, no
 * file may swap it out at run time) or to another file of the folder, when it declares no route at
 * all, or when it declares REST endpoints or route configurations, which Camel reads at start-up only.
 */
public final class RouteFileCheck {

    /** A route of the file: its id (null when it has none) and the URI it consumes from. */
    public record FileRoute(String id, String from) {}

    /** What the changed file declares. */
    public record FileContent(List<FileRoute> routes, boolean declaresRest, boolean declaresRouteConfiguration) {}

    private RouteFileCheck() {}

    /**
     * The reasons the file is refused; empty when it may be applied.
     *
     * @param builtInIds   ids of the running routes that do not come from the routes folder
     * @param ownerById    id of every running route of the folder → the file (name) it comes from
     */
    public static List<String> problems(String file, FileContent content, Set<String> builtInIds,
                                        Map<String, String> ownerById) {
        List<String> problems = new ArrayList<>();
        if (content.routes().isEmpty() && !content.declaresRest() && !content.declaresRouteConfiguration()) {
            // also what a file being written in place looks like for a moment: never a reason to stop its routes
            problems.add("it declares no routes: delete the file to stop its routes");
        }
        if (content.declaresRest()) {
            problems.add("it declares REST endpoints, which are read at start-up only: restart to change them");
        }
        if (content.declaresRouteConfiguration()) {
            problems.add("it declares a route configuration, which is read at start-up only: restart to change it");
        }
        Set<String> seen = new HashSet<>();
        for (FileRoute route : content.routes()) {
            String id = route.id();
            if (id == null || id.isBlank()) {
                problems.add("the route from '" + route.from() + "' has no id: give every route an id");
            } else if (!seen.add(id)) {
                problems.add("route id '" + id + "' is used twice in the file");
            } else if (builtInIds.contains(id)) {
                problems.add("route id '" + id + "' belongs to a built-in route, which cannot be replaced from the routes folder");
            } else if (ownerById.containsKey(id) && !ownerById.get(id).equals(file)) {
                problems.add("route id '" + id + "' is already defined in " + ownerById.get(id));
            }
        }
        return problems;
    }
}
