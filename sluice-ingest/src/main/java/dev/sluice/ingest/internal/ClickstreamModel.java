package dev.sluice.ingest.internal;

import java.util.SplittableRandom;

/**
 * Shoppers on a web shop, for live dashboards and recommendations: users open sessions, view pages and products,
 * put some in the cart and sometimes buy. See {@link dev.sluice.ingest.Generators#clickstream} for the shape.
 */
public final class ClickstreamModel implements EventModel {

    public static final int USER_COUNT = 20_000;
    public static final int ITEM_COUNT = 2_000;
    public static final String[] CATEGORIES = {"books", "electronics", "fashion", "home", "garden", "toys", "sports",
        "beauty", "grocery", "music", "games", "office", "pets", "baby", "auto", "tools", "health", "jewelry",
        "outdoor", "kitchen"};
    /** Mean page views and other steps of a session before it ends or checks out. */
    public static final double MEAN_SESSION_STEPS = 8.0;
    /** Mean time between two events of one session. */
    public static final double MEAN_THINK_MILLIS = 12_000;
    public static final long MAX_THINK_MILLIS = 120_000;
    /** Chance that a product view is followed by putting the product in the cart. */
    public static final double ADD_TO_CART_PROBABILITY = 0.2;
    /** Chance that a session with a non-empty cart checks out and buys it. */
    public static final double CHECKOUT_PROBABILITY = 0.5;
    /** Chance that a product view after another one shows a product viewed together with it. */
    public static final double COMPANION_PROBABILITY = 0.5;
    public static final int COMPANIONS_PER_ITEM = 4;
    /** Share of product views that go to the current trending item, which changes every five minutes. */
    public static final double TRENDING_SHARE = 0.1;
    public static final long TRENDING_PERIOD_MILLIS = 300_000;
    static final double ITEM_ZIPF_EXPONENT = 1.0;
    private static final int MAX_OPEN_SESSIONS = 100_000;

    private enum Step { LANDING, BROWSE, ADD_TO_CART, CHECKOUT, PURCHASE }

    private static final class Session {
        final String id;
        final String userId;
        int stepsLeft;
        Step next = Step.LANDING;
        int lastItem = -1;
        int[] cart = new int[4];
        int cartSize;
        int purchased;

        Session(String id, String userId, int steps) {
            this.id = id;
            this.userId = userId;
            this.stepsLeft = steps;
        }
    }

    private final SplittableRandom random;
    private final ZipfSampler popularity = new ZipfSampler(ITEM_COUNT, ITEM_ZIPF_EXPONENT);
    private final String[] userIds = new String[USER_COUNT];
    private final String[] itemIds = new String[ITEM_COUNT];
    private final int[] itemCategory = new int[ITEM_COUNT];
    private final long[] itemCents = new long[ITEM_COUNT];
    private final int[][] companions = new int[ITEM_COUNT][COMPANIONS_PER_ITEM];
    private final SessionQueue<Session> sessions = new SessionQueue<>(MAX_OPEN_SESSIONS);
    private long eventNumber;
    private long sessionNumber;
    private long trendingPeriod = Long.MIN_VALUE;
    private int trendingItem;

    public ClickstreamModel(long seed) {
        this.random = new SplittableRandom(seed);
        for (int i = 0; i < USER_COUNT; i++) {
            userIds[i] = PaymentModel.padded("u-", i + 1, 6);
        }
        for (int i = 0; i < ITEM_COUNT; i++) {
            itemIds[i] = PaymentModel.padded("i-", i + 1, 4);
            itemCategory[i] = random.nextInt(CATEGORIES.length);
            double euros = Math.exp(Math.log(25.0) + 0.9 * Distributions.normal(random));
            itemCents[i] = Math.max(99, Math.min(500_000, Math.round(euros * 100.0)));
        }
        for (int i = 0; i < ITEM_COUNT; i++) {
            for (int c = 0; c < COMPANIONS_PER_ITEM; c++) {
                int companion;
                do {
                    companion = popularity.sample(random);
                } while (companion == i);
                companions[i][c] = companion;
            }
        }
    }

    /** The items viewed together with {@code item} more often than chance (0-based item index). */
    public int[] companionsOf(int item) {
        return companions[item].clone();
    }

    @Override
    public String next(long nowMillis, long eventMillis, JsonObjectWriter out) {
        Session session = sessions.pollDue(nowMillis);
        if (session == null) {
            session = new Session(PaymentModel.padded("s-", ++sessionNumber, 10),
                    userIds[random.nextInt(USER_COUNT)], Distributions.geometric(random, MEAN_SESSION_STEPS));
        }
        out.string("event_id", PaymentModel.padded("e-", ++eventNumber, 12))
                .string("user_id", session.userId)
                .string("session_id", session.id);
        Step step = session.next;
        boolean productView = false;
        switch (step) {
            case LANDING -> {
                if (random.nextDouble() < 0.6) {
                    page(out, "home", -1);
                } else {
                    productView = viewProduct(out, session, nowMillis);
                }
            }
            case BROWSE -> {
                double u = random.nextDouble();
                if (u < 0.7) {
                    productView = viewProduct(out, session, nowMillis);
                } else if (u < 0.9) {
                    page(out, "category", popularity.sample(random));
                } else {
                    page(out, "search", -1);
                }
            }
            case ADD_TO_CART -> {
                if (session.cartSize == session.cart.length) {
                    session.cart = java.util.Arrays.copyOf(session.cart, session.cartSize * 2);
                }
                session.cart[session.cartSize++] = session.lastItem;
                item(out, "add_to_cart", "product", session.lastItem);
            }
            case CHECKOUT -> page(out, "checkout", -1);
            case PURCHASE -> item(out, "purchase", "checkout", session.cart[session.purchased++]);
        }
        out.timestamp("ts", eventMillis);
        Step following = following(session, step, productView);
        if (following != null) {
            session.next = following;
            long think = step == Step.CHECKOUT || step == Step.PURCHASE ? 1 + random.nextInt(2_000)
                    : Math.min(MAX_THINK_MILLIS, 1 + (long) Distributions.exponential(random, MEAN_THINK_MILLIS));
            sessions.add(session, nowMillis + think);
        }
        return session.userId;
    }

    /** What the session does next, or {@code null} when it ends. */
    private Step following(Session session, Step step, boolean productView) {
        if (step == Step.CHECKOUT || step == Step.PURCHASE) {
            return session.purchased < session.cartSize ? Step.PURCHASE : null;
        }
        session.stepsLeft--;
        if (productView && random.nextDouble() < ADD_TO_CART_PROBABILITY) {
            return Step.ADD_TO_CART;
        }
        if (session.stepsLeft > 0) {
            return Step.BROWSE;
        }
        if (session.cartSize > 0 && random.nextDouble() < CHECKOUT_PROBABILITY) {
            return Step.CHECKOUT;
        }
        return null;
    }

    private boolean viewProduct(JsonObjectWriter out, Session session, long nowMillis) {
        int item;
        if (session.lastItem >= 0 && random.nextDouble() < COMPANION_PROBABILITY) {
            item = companions[session.lastItem][random.nextInt(COMPANIONS_PER_ITEM)];
        } else if (random.nextDouble() < TRENDING_SHARE) {
            item = trendingItem(nowMillis);
        } else {
            item = popularity.sample(random);
        }
        session.lastItem = item;
        item(out, "page_view", "product", item);
        return true;
    }

    /** A long-tail item that is suddenly popular; a new one every {@link #TRENDING_PERIOD_MILLIS} of clock time. */
    private int trendingItem(long nowMillis) {
        long period = Math.floorDiv(nowMillis, TRENDING_PERIOD_MILLIS);
        if (period != trendingPeriod) {
            trendingPeriod = period;
            trendingItem = 100 + random.nextInt(ITEM_COUNT - 100);
        }
        return trendingItem;
    }

    private void page(JsonObjectWriter out, String page, int categoryOfItem) {
        out.string("event_type", "page_view").string("page", page).string("item_id", null)
                .string("category", categoryOfItem < 0 ? null : CATEGORIES[itemCategory[categoryOfItem]])
                .string("price", null);
    }

    private void item(JsonObjectWriter out, String type, String page, int item) {
        out.string("event_type", type).string("page", page).string("item_id", itemIds[item])
                .string("category", CATEGORIES[itemCategory[item]]).decimal("price", itemCents[item], 2);
    }
}
