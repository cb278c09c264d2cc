# places.re - patterns for places the gazetteer does not know.
# Format: PRIORITY <TAB> PCRE2 pattern with one capture group, the place name.
# Patterns run (case-sensitive) on the normalized sentence of a claim; the
# capture is dropped where it is a party, a region-level place, a month or a
# weekday. A lower PRIORITY wins; among equals, the earliest in the sentence.
# Patterns match bytes: \x80-\xff stands for the letters of UTF-8 names
# ("Laçın").
# A name may start with a lower-case Arabic article ("the town of al-Mazraa",
# "near el-Fasher").
# Patterns of priority 0 and 1 are only tried on sentences that hold a
# "placenoun" of cues.tsv, so their nouns must be listed there too; those
# of priority 2 only where a "target" cue (in, near, at ...) is followed by a
# capitalized word, perhaps after one lower-case word ("near southern X").
1	\b(?:village|villages|town|towns|city|cities|settlement|settlements|township|district|districts|area|areas|sector|region|direction|outskirts|section|locality|hamlet|outpost|outposts|garrison)s? of (?:the )?((?:(?:a[lnrstdz]|ash|e[lnrstdz])-)?[A-Z][\w\x80-\xff'.-]+(?: (?:[A-Z][\w\x80-\xff'-]+|al|el|de|del|la|las|los|da|do|dos|di|du)){0,3})
1	\b((?:[A-Z][\w\x80-\xff'-]+ ){0,2}[A-Z][\w\x80-\xff'-]+)(?: [a-z]+)? (?:[Vv]illages?|[Dd]istrict|[Ss]ectors?|[Ss]ub-sector|[Tt]ownship|[Aa]reas?|[Pp]rovince|[Gg]overnorate|[Dd]irections?|front|[Tt]own|[Rr]aion|[Rr]ayon|[Oo]blast|[Rr]egion|[Vv]alley|[Gg]orge|[Cc]heckpoint|[Cc]rossing|[Cc]amp|[Hh]eights|reservoir)\b
2	\b(?:in|near|around|at|outside|into|on|towards?) (?:the )?(?:(?:northern|southern|eastern|western|central|northeastern|northwestern|southeastern|southwestern) )?((?:(?:a[lnrstdz]|ash|e[lnrstdz])-)?[A-Z][\w\x80-\xff'-]+(?: [A-Z][\w\x80-\xff'-]+){0,2})
