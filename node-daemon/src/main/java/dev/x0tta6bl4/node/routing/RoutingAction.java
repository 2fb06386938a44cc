package dev.x0tta6bl4.node.routing;

import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a {@link LinkStateRouter} asks its driver to do, or tells it, after an input. The driver
 * (the Netty link layer, or a simulator) carries them out in list order. Byte arrays are shared,
 * not copied: neither side may modify them.
 */
public sealed interface RoutingAction
    permits RoutingAction.FloodAdvert,
        RoutingAction.SendAdvert,
        RoutingAction.RoutesChanged,
        RoutingAction.AdvertRejected {

  /**
   * Send one signed advert to several neighbours: a newly accepted advert to every up neighbour
   * but the one it came from, or an own advert to every up neighbour.
   *
   * @param advert the signed wire form
   * @param toNeighbours the neighbours to send it to, in id order, never empty
   */
  record FloodAdvert(byte[] advert, List<String> toNeighbours) implements RoutingAction {
    public FloodAdvert {
      Objects.requireNonNull(advert, "advert");
      toNeighbours = List.copyOf(toNeighbours);
    }
  }

  /**
   * Send one signed advert to one neighbour: database synchronisation when a link comes up.
   *
   * @param toNeighbour the neighbour
   * @param advert the signed wire form
   */
  record SendAdvert(String toNeighbour, byte[] advert) implements RoutingAction {
    public SendAdvert {
      Objects.requireNonNull(toNeighbour, "toNeighbour");
      Objects.requireNonNull(advert, "advert");
    }
  }

  /**
   * The route table changed.
   *
   * @param routes the new table
   * @param changedDestinations destinations whose route appeared, disappeared or changed, in order
   */
  record RoutesChanged(RouteTable routes, Set<String> changedDestinations)
      implements RoutingAction {
    public RoutesChanged {
      Objects.requireNonNull(routes, "routes");
      changedDestinations = Collections.unmodifiableSortedSet(new TreeSet<>(changedDestinations));
    }
  }

  /**
   * A received advert was not used; already counted against {@code fromNeighbour}.
   *
   * @param fromNeighbour the neighbour that relayed it
   * @param reason why
   * @param detail specifics for the log
   */
  record AdvertRejected(String fromNeighbour, RejectReason reason, String detail)
      implements RoutingAction {
    public AdvertRejected {
      Objects.requireNonNull(fromNeighbour, "fromNeighbour");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(detail, "detail");
    }
  }
}
