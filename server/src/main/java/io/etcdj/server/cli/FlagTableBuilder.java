package io.etcdj.server.cli;

import java.util.ArrayList;
import java.util.List;

/** Collects flag definitions group by group, so each table reads as a plain list. */
final class FlagTableBuilder {
    private final List<FlagDef> defs = new ArrayList<>();
    private FlagGroup group = FlagGroup.MEMBER;

    /** Flags added from now on belong to this help section. */
    FlagTableBuilder group(FlagGroup next) {
        this.group = next;
        return this;
    }

    FlagTableBuilder add(String name, FlagKind kind, String defaultValue, FlagStatus status, String help) {
        defs.add(new FlagDef(name, group, kind, defaultValue, status, help, null, List.of()));
        return this;
    }

    /** Shows the last flag's default in help as this text instead of its value. */
    FlagTableBuilder shownAs(String shownDefault) {
        FlagDef last = defs.removeLast();
        defs.add(new FlagDef(
                last.name(),
                last.group(),
                last.kind(),
                last.defaultValue(),
                last.status(),
                last.help(),
                shownDefault,
                last.choices()));
        return this;
    }

    /** Restricts the last flag to these values. */
    FlagTableBuilder choices(String... values) {
        FlagDef last = defs.removeLast();
        defs.add(new FlagDef(
                last.name(),
                last.group(),
                last.kind(),
                last.defaultValue(),
                last.status(),
                last.help(),
                last.shownDefault(),
                List.of(values)));
        return this;
    }

    List<FlagDef> build() {
        return List.copyOf(defs);
    }
}
