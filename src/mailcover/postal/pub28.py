"""The USPS Publication 28 tables the address normaliser needs, as data.

Kept here rather than taken from `usaddress-scourgify` (SPECS.md section 2.1): its tables
deviate from Publication 28 (UPPER for UPPR; no territories, no military states; no CMNS,
XRDS or TRLR), and importing `scourgify.address_constants` reads an optional YAML file and
`ADDRESS_CONFIG_*` environment variables that may replace them, so the same address could
normalise differently on two machines. A delivery-point key must not.

Sources, each checked against SPECS.md section 2.2:

* `STREET_SUFFIXES`: Appendix C1, Street Suffix Abbreviations
  (https://pe.usps.com/text/pub28/28apc_002.htm), from the archived copy in
  tflynn/address_normalizer `references/street-suffix-abbreviations.tsv` (commit ae526c5b),
  with: every standard abbreviation also mapping to itself; the primary names PLACE,
  INLET, MISSION, HEIGHTS and EXTENSIONS, which that copy lacks; MDW mapped to MDW
  (C1 lists MDW under both MEADOW and MEADOWS; the copy sends it to MDWS).
* `SECONDARY_UNITS` and `RANGELESS_UNITS`: Appendix C2, Secondary Unit Designators
  (https://pe.usps.com/text/pub28/28apc_003.htm); `#` is what section 213 says to use when
  the designator is not known. HANGAR is our addition: the usual spelling of USPS's HANGER.
* `DIRECTIONALS`: section 233, the eight directionals.
* `STATES`: Appendix B, states, DC, the possessions and freely associated states (AS, FM,
  GU, MH, MP, PW, PR, VI), and the armed-forces "states" AA, AE and AP (section 225).
"""

from __future__ import annotations

# Appendix C1, one row per primary suffix name: primary name, standard abbreviation, then the
# other common spellings. The primary name is how a suffix word is spelt out when it is part
# of the street name (section 234.2) or a type word before the name ("AVENUE C").
_C1_ROWS = """
    ALLEY ALY ALLEE ALLY
    ANNEX ANX ANEX ANNX
    ARCADE ARC
    AVENUE AVE AV AVEN AVENU AVN AVNUE
    BAYOU BYU BAYOO
    BEACH BCH
    BEND BND
    BLUFF BLF BLUF
    BLUFFS BLFS
    BOTTOM BTM BOT BOTTM
    BOULEVARD BLVD BOUL BOULV
    BRANCH BR BRNCH
    BRIDGE BRG BRDGE
    BROOK BRK
    BROOKS BRKS
    BURG BG
    BURGS BGS
    BYPASS BYP BYPA BYPAS BYPS
    CAMP CP CMP
    CANYON CYN CANYN CNYN
    CAPE CPE
    CAUSEWAY CSWY CAUSWA
    CENTER CTR CEN CENT CENTR CENTRE CNTER CNTR
    CENTERS CTRS
    CIRCLE CIR CIRC CIRCL CRCL CRCLE
    CIRCLES CIRS
    CLIFF CLF
    CLIFFS CLFS
    CLUB CLB
    COMMON CMN
    COMMONS CMNS
    CORNER COR
    CORNERS CORS
    COURSE CRSE
    COURT CT
    COURTS CTS
    COVE CV
    COVES CVS
    CREEK CRK
    CRESCENT CRES CRSENT CRSNT
    CREST CRST
    CROSSING XING CRSSNG
    CROSSROAD XRD
    CROSSROADS XRDS
    CURVE CURV
    DALE DL
    DAM DM
    DIVIDE DV DIV DVD
    DRIVE DR DRIV DRV
    DRIVES DRS
    ESTATE EST
    ESTATES ESTS
    EXPRESSWAY EXPY EXP EXPR EXPRESS EXPW
    EXTENSION EXT EXTN EXTNSN
    EXTENSIONS EXTS
    FALL FALL
    FALLS FLS
    FERRY FRY FRRY
    FIELD FLD
    FIELDS FLDS
    FLAT FLT
    FLATS FLTS
    FORD FRD
    FORDS FRDS
    FOREST FRST FORESTS
    FORGE FRG FORG
    FORGES FRGS
    FORK FRK
    FORKS FRKS
    FORT FT FRT
    FREEWAY FWY FREEWY FRWAY FRWY
    GARDEN GDN GARDN GRDEN GRDN
    GARDENS GDNS GRDNS
    GATEWAY GTWY GATEWY GATWAY GTWAY
    GLEN GLN
    GLENS GLNS
    GREEN GRN
    GREENS GRNS
    GROVE GRV GROV
    GROVES GRVS
    HARBOR HBR HARB HARBR HRBOR
    HARBORS HBRS
    HAVEN HVN
    HEIGHTS HTS HT
    HIGHWAY HWY HIGHWY HIWAY HIWY HWAY
    HILL HL
    HILLS HLS
    HOLLOW HOLW HLLW HOLLOWS HOLWS
    INLET INLT
    ISLAND IS ISLND
    ISLANDS ISS ISLNDS
    ISLE ISLE ISLES
    JUNCTION JCT JCTION JCTN JUNCTN JUNCTON
    JUNCTIONS JCTS JCTNS
    KEY KY
    KEYS KYS
    KNOLL KNL KNOL
    KNOLLS KNLS
    LAKE LK
    LAKES LKS
    LAND LAND
    LANDING LNDG LNDNG
    LANE LN
    LIGHT LGT
    LIGHTS LGTS
    LOAF LF
    LOCK LCK
    LOCKS LCKS
    LODGE LDG LDGE LODG
    LOOP LOOP LOOPS
    MALL MALL
    MANOR MNR
    MANORS MNRS
    MEADOW MDW
    MEADOWS MDWS MEDOWS
    MEWS MEWS
    MILL ML
    MILLS MLS
    MISSION MSN MISSN MSSN
    MOTORWAY MTWY
    MOUNT MT MNT
    MOUNTAIN MTN MNTAIN MNTN MOUNTIN MTIN
    MOUNTAINS MTNS MNTNS
    NECK NCK
    ORCHARD ORCH ORCHRD
    OVAL OVAL OVL
    OVERPASS OPAS
    PARK PARK PRK PARKS
    PARKWAY PKWY PARKWY PKWAY PKY PARKWAYS PKWYS
    PASS PASS
    PASSAGE PSGE
    PATH PATH PATHS
    PIKE PIKE PIKES
    PINE PNE
    PINES PNES
    PLACE PL
    PLAIN PLN
    PLAINS PLNS
    PLAZA PLZ PLZA
    POINT PT
    POINTS PTS
    PORT PRT
    PORTS PRTS
    PRAIRIE PR PRR
    RADIAL RADL RAD RADIEL
    RAMP RAMP
    RANCH RNCH RANCHES RNCHS
    RAPID RPD
    RAPIDS RPDS
    REST RST
    RIDGE RDG RDGE
    RIDGES RDGS
    RIVER RIV RVR RIVR
    ROAD RD
    ROADS RDS
    ROUTE RTE
    ROW ROW
    RUE RUE
    RUN RUN
    SHOAL SHL
    SHOALS SHLS
    SHORE SHR SHOAR
    SHORES SHRS SHOARS
    SKYWAY SKWY
    SPRING SPG SPNG SPRNG
    SPRINGS SPGS SPNGS SPRNGS
    SPUR SPUR SPURS
    SQUARE SQ SQR SQRE SQU
    SQUARES SQS SQRS
    STATION STA STATN STN
    STRAVENUE STRA STRAV STRAVEN STRAVN STRVN STRVNUE
    STREAM STRM STREME
    STREET ST STRT STR
    STREETS STS
    SUMMIT SMT SUMIT SUMITT
    TERRACE TER TERR
    THROUGHWAY TRWY
    TRACE TRCE TRACES
    TRACK TRAK TRACKS TRK TRKS
    TRAFFICWAY TRFY
    TRAIL TRL TRAILS TRLS
    TRAILER TRLR TRLRS
    TUNNEL TUNL TUNEL TUNLS TUNNELS TUNNL
    TURNPIKE TPKE TRNPK TURNPK
    UNDERPASS UPAS
    UNION UN
    UNIONS UNS
    VALLEY VLY VALLY VLLY
    VALLEYS VLYS
    VIADUCT VIA VDCT VIADCT
    VIEW VW
    VIEWS VWS
    VILLAGE VLG VILL VILLAG VILLG VILLIAGE
    VILLAGES VLGS
    VILLE VL
    VISTA VIS VIST VST VSTA
    WALK WALK WALKS
    WALL WALL
    WAY WAY WY
    WAYS WAYS
    WELL WL
    WELLS WLS
"""

STREET_SUFFIXES: dict[str, str] = {}
"""Any spelling on Appendix C1 -> its standard abbreviation (AVENUE, AV, AVE -> AVE)."""

SUFFIX_NAMES: dict[str, str] = {}
"""Standard abbreviation -> primary name (AVE -> AVENUE, PL -> PLACE)."""

for _row in _C1_ROWS.split("\n"):
    if _row.strip():
        _primary, _standard, *_others = _row.split()
        SUFFIX_NAMES.setdefault(_standard, _primary)
        for _spelling in (_primary, _standard, *_others):
            STREET_SUFFIXES[_spelling] = _standard

SECONDARY_UNITS: dict[str, str] = {
    "APARTMENT": "APT", "APT": "APT",
    "BASEMENT": "BSMT", "BSMT": "BSMT",
    "BUILDING": "BLDG", "BLDG": "BLDG",
    "DEPARTMENT": "DEPT", "DEPT": "DEPT",
    "FLOOR": "FL", "FL": "FL",
    "FRONT": "FRNT", "FRNT": "FRNT",
    "HANGER": "HNGR", "HANGAR": "HNGR", "HNGR": "HNGR",
    "KEY": "KEY",
    "LOBBY": "LBBY", "LBBY": "LBBY",
    "LOT": "LOT",
    "LOWER": "LOWR", "LOWR": "LOWR",
    "OFFICE": "OFC", "OFC": "OFC",
    "PENTHOUSE": "PH", "PH": "PH",
    "PIER": "PIER",
    "REAR": "REAR",
    "ROOM": "RM", "RM": "RM",
    "SIDE": "SIDE",
    "SLIP": "SLIP",
    "SPACE": "SPC", "SPC": "SPC",
    "STOP": "STOP",
    "SUITE": "STE", "STE": "STE",
    "TRAILER": "TRLR", "TRLR": "TRLR",
    "UNIT": "UNIT",
    "UPPER": "UPPR", "UPPR": "UPPR",
    "#": "#",
}  # fmt: skip
"""Appendix C2: designator as written -> standard abbreviation."""

RANGELESS_UNITS = frozenset({"BSMT", "FRNT", "LBBY", "LOWR", "OFC", "PH", "REAR", "SIDE", "UPPR"})
"""Appendix C2's designators marked as needing no secondary range (number) after them."""

DIRECTIONALS: dict[str, str] = {
    "N": "N", "NORTH": "N", "S": "S", "SOUTH": "S", "E": "E", "EAST": "E", "W": "W", "WEST": "W",
    "NE": "NE", "NORTHEAST": "NE", "NW": "NW", "NORTHWEST": "NW",
    "SE": "SE", "SOUTHEAST": "SE", "SW": "SW", "SOUTHWEST": "SW",
}  # fmt: skip
"""Section 233: a directional as written, spaces removed ("NORTH WEST") -> its abbreviation."""

_APPENDIX_B = """
AL ALABAMA; AK ALASKA; AZ ARIZONA; AR ARKANSAS; CA CALIFORNIA; CO COLORADO; CT CONNECTICUT;
DE DELAWARE; DC DISTRICT OF COLUMBIA; FL FLORIDA; GA GEORGIA; HI HAWAII; ID IDAHO;
IL ILLINOIS; IN INDIANA; IA IOWA; KS KANSAS; KY KENTUCKY; LA LOUISIANA; ME MAINE;
MD MARYLAND; MA MASSACHUSETTS; MI MICHIGAN; MN MINNESOTA; MS MISSISSIPPI; MO MISSOURI;
MT MONTANA; NE NEBRASKA; NV NEVADA; NH NEW HAMPSHIRE; NJ NEW JERSEY; NM NEW MEXICO;
NY NEW YORK; NC NORTH CAROLINA; ND NORTH DAKOTA; OH OHIO; OK OKLAHOMA; OR OREGON;
PA PENNSYLVANIA; RI RHODE ISLAND; SC SOUTH CAROLINA; SD SOUTH DAKOTA; TN TENNESSEE;
TX TEXAS; UT UTAH; VT VERMONT; VA VIRGINIA; WA WASHINGTON; WV WEST VIRGINIA;
WI WISCONSIN; WY WYOMING;
AS AMERICAN SAMOA; FM FEDERATED STATES OF MICRONESIA; GU GUAM; MH MARSHALL ISLANDS;
MP NORTHERN MARIANA ISLANDS; PW PALAU; PR PUERTO RICO; VI VIRGIN ISLANDS;
AA ARMED FORCES AMERICAS; AE ARMED FORCES EUROPE; AP ARMED FORCES PACIFIC
"""

STATES: dict[str, str] = {}
"""Appendix B: a state, possession or armed-forces name or code -> its two-letter code."""

for _entry in _APPENDIX_B.split(";"):
    _code, _name = _entry.split(maxsplit=1)
    STATES[_code] = _code
    STATES[" ".join(_name.split())] = _code

MILITARY_STATES = frozenset({"AA", "AE", "AP"})
MILITARY_CITIES = frozenset({"APO", "FPO", "DPO"})
"""Section 225: overseas military mail goes to APO, FPO or DPO in AA, AE or AP."""
