package dev.sluice.ingest.internal;

/**
 * Countries merchants can be in, each with the currency payments there are made in and a rough exchange rate,
 * so that amounts modelled in euros look plausible in local money (a coffee in Tokyo costs hundreds of yen).
 */
public enum Country {
    DE("EUR", 1.0),
    FR("EUR", 1.0),
    ES("EUR", 1.0),
    IT("EUR", 1.0),
    NL("EUR", 1.0),
    GB("GBP", 0.85),
    US("USD", 1.08),
    CH("CHF", 0.95),
    SE("SEK", 11.5),
    PL("PLN", 4.3),
    JP("JPY", 160.0);

    private static final Country[] VALUES = values();

    private final String currency;
    private final double unitsPerEuro;

    Country(String currency, double unitsPerEuro) {
        this.currency = currency;
        this.unitsPerEuro = unitsPerEuro;
    }

    /** ISO-3166 alpha-2 code, as on the wire. */
    public String code() {
        return name();
    }

    /** ISO-4217 code of the currency card payments in this country are made in. */
    public String currency() {
        return currency;
    }

    /** How many units of {@link #currency()} one euro buys, roughly. */
    public double unitsPerEuro() {
        return unitsPerEuro;
    }

    /** The country at {@code index} in declaration order; for uniform random picks. */
    static Country at(int index) {
        return VALUES[index];
    }

    static int count() {
        return VALUES.length;
    }

    /** The country with exactly this ISO code (upper case), or {@code null} if the generator does not know it. */
    static Country byCode(String code) {
        for (Country country : VALUES) {
            if (country.name().equals(code)) {
                return country;
            }
        }
        return null;
    }
}
