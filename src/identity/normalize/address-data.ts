/**
 * Word lists for US address standardization, following the USPS Publication 28 abbreviations (written out
 * here for Kith: the common street suffixes, directionals and secondary unit designators).
 */

/** Street suffix spellings -> USPS standard abbreviation. */
export const STREET_TYPES: Record<string, string> = {
  ALLEY: 'ALY', ALLY: 'ALY', ALY: 'ALY', ANNEX: 'ANX', ANX: 'ANX', ARCADE: 'ARC', ARC: 'ARC',
  AVENUE: 'AVE', AVEN: 'AVE', AVENU: 'AVE', AVN: 'AVE', AVNUE: 'AVE', AV: 'AVE', AVE: 'AVE',
  BAYOU: 'BYU', BEACH: 'BCH', BCH: 'BCH', BEND: 'BND', BND: 'BND', BLUFF: 'BLF', BLF: 'BLF',
  BOULEVARD: 'BLVD', BOUL: 'BLVD', BOULV: 'BLVD', BLVD: 'BLVD', BRANCH: 'BR', BR: 'BR', BRIDGE: 'BRG', BRG: 'BRG',
  BROOK: 'BRK', BRK: 'BRK', BYPASS: 'BYP', BYP: 'BYP', CANYON: 'CYN', CYN: 'CYN', CAPE: 'CPE', CPE: 'CPE',
  CAUSEWAY: 'CSWY', CSWY: 'CSWY', CENTER: 'CTR', CENTRE: 'CTR', CTR: 'CTR', CIRCLE: 'CIR', CIRC: 'CIR', CIR: 'CIR',
  CLIFF: 'CLF', CLF: 'CLF', CLUB: 'CLB', COMMON: 'CMN', CORNER: 'COR', COR: 'COR', COURSE: 'CRSE',
  COURT: 'CT', CRT: 'CT', CT: 'CT', COVE: 'CV', CV: 'CV', CREEK: 'CRK', CRK: 'CRK', CRESCENT: 'CRES', CRES: 'CRES',
  CROSSING: 'XING', XING: 'XING', DALE: 'DL', DAM: 'DM', DIVIDE: 'DV', DRIVE: 'DR', DRIV: 'DR', DRV: 'DR', DR: 'DR',
  ESTATE: 'EST', ESTATES: 'ESTS', EXPRESSWAY: 'EXPY', EXPY: 'EXPY', EXTENSION: 'EXT', EXT: 'EXT',
  FALLS: 'FLS', FERRY: 'FRY', FIELD: 'FLD', FIELDS: 'FLDS', FLAT: 'FLT', FORD: 'FRD', FOREST: 'FRST',
  FORK: 'FRK', FORT: 'FT', FREEWAY: 'FWY', FWY: 'FWY', GARDEN: 'GDN', GARDENS: 'GDNS', GDNS: 'GDNS',
  GATEWAY: 'GTWY', GLEN: 'GLN', GREEN: 'GRN', GROVE: 'GRV', GRV: 'GRV', HARBOR: 'HBR', HAVEN: 'HVN',
  HEIGHTS: 'HTS', HTS: 'HTS', HIGHWAY: 'HWY', HWY: 'HWY', HIGHWY: 'HWY', HILL: 'HL', HL: 'HL', HILLS: 'HLS',
  HOLLOW: 'HOLW', ISLAND: 'IS', JUNCTION: 'JCT', JCT: 'JCT', KNOLL: 'KNL', LAKE: 'LK', LAKES: 'LKS',
  LANDING: 'LNDG', LANE: 'LN', LN: 'LN', LOOP: 'LOOP', MALL: 'MALL', MANOR: 'MNR', MEADOW: 'MDW',
  MEADOWS: 'MDWS', MILL: 'ML', MISSION: 'MSN', MOUNT: 'MT', MOUNTAIN: 'MTN', MTN: 'MTN', OVAL: 'OVAL',
  OVERPASS: 'OPAS', PARK: 'PARK', PARKWAY: 'PKWY', PARKWY: 'PKWY', PKWAY: 'PKWY', PKWY: 'PKWY', PASS: 'PASS',
  PATH: 'PATH', PIKE: 'PIKE', PINES: 'PNES', PLACE: 'PL', PL: 'PL', PLAZA: 'PLZ', PLZ: 'PLZ', POINT: 'PT',
  PT: 'PT', PORT: 'PRT', PRAIRIE: 'PR', RANCH: 'RNCH', RIDGE: 'RDG', RDG: 'RDG', RIVER: 'RIV', ROAD: 'RD',
  RD: 'RD', ROUTE: 'RTE', RTE: 'RTE', ROW: 'ROW', RUN: 'RUN', SHORE: 'SHR', SPRING: 'SPG', SPRINGS: 'SPGS',
  SQUARE: 'SQ', SQ: 'SQ', STATION: 'STA', STREET: 'ST', STR: 'ST', STRT: 'ST', ST: 'ST', SUMMIT: 'SMT',
  TERRACE: 'TER', TERR: 'TER', TER: 'TER', TRACE: 'TRCE', TRAIL: 'TRL', TRL: 'TRL', TURNPIKE: 'TPKE',
  TPKE: 'TPKE', VALLEY: 'VLY', VIEW: 'VW', VILLAGE: 'VLG', VLG: 'VLG', VILLE: 'VL', VISTA: 'VIS', WALK: 'WALK',
  WAY: 'WAY', WY: 'WAY', WELLS: 'WLS',
}; // prettier-ignore

/** Directionals, spelled out or abbreviated, in English and Spanish. */
export const DIRECTIONALS: Record<string, string> = {
  NORTH: 'N', N: 'N', SOUTH: 'S', S: 'S', EAST: 'E', E: 'E', WEST: 'W', W: 'W', NORTHEAST: 'NE', NE: 'NE',
  NORTHWEST: 'NW', NW: 'NW', SOUTHEAST: 'SE', SE: 'SE', SOUTHWEST: 'SW', SW: 'SW', NORTE: 'N', SUR: 'S',
  ESTE: 'E', OESTE: 'W',
}; // prettier-ignore

/** Secondary unit designators: the words that introduce an apartment, suite, lot ... number. */
export const UNIT_DESIGNATORS = new Set([
  'APT', 'APARTMENT', 'UNIT', 'STE', 'SUITE', '#', 'NO', 'NUM', 'BLDG', 'BUILDING', 'FL', 'FLOOR', 'RM', 'ROOM',
  'LOT', 'SPC', 'SPACE', 'TRLR', 'TRAILER', 'DEPT', 'PH', 'PENTHOUSE', 'BSMT', 'BASEMENT', 'REAR', 'FRNT',
  'DEPTO', 'DEPARTAMENTO', 'CASA',
]); // prettier-ignore

/** Ordinal street names written as words -> digits ("First St" = "1st St"). */
export const ORDINALS: Record<string, string> = {
  FIRST: '1ST', SECOND: '2ND', THIRD: '3RD', FOURTH: '4TH', FIFTH: '5TH', SIXTH: '6TH', SEVENTH: '7TH',
  EIGHTH: '8TH', NINTH: '9TH', TENTH: '10TH', ELEVENTH: '11TH', TWELFTH: '12TH',
}; // prettier-ignore

/** State names -> USPS codes. */
export const STATES: Record<string, string> = {
  ALABAMA: 'AL', ALASKA: 'AK', ARIZONA: 'AZ', ARKANSAS: 'AR', CALIFORNIA: 'CA', COLORADO: 'CO',
  CONNECTICUT: 'CT', DELAWARE: 'DE', DISTRICTOFCOLUMBIA: 'DC', FLORIDA: 'FL', GEORGIA: 'GA', HAWAII: 'HI',
  IDAHO: 'ID', ILLINOIS: 'IL', INDIANA: 'IN', IOWA: 'IA', KANSAS: 'KS', KENTUCKY: 'KY', LOUISIANA: 'LA',
  MAINE: 'ME', MARYLAND: 'MD', MASSACHUSETTS: 'MA', MICHIGAN: 'MI', MINNESOTA: 'MN', MISSISSIPPI: 'MS',
  MISSOURI: 'MO', MONTANA: 'MT', NEBRASKA: 'NE', NEVADA: 'NV', NEWHAMPSHIRE: 'NH', NEWJERSEY: 'NJ',
  NEWMEXICO: 'NM', NEWYORK: 'NY', NORTHCAROLINA: 'NC', NORTHDAKOTA: 'ND', OHIO: 'OH', OKLAHOMA: 'OK',
  OREGON: 'OR', PENNSYLVANIA: 'PA', RHODEISLAND: 'RI', SOUTHCAROLINA: 'SC', SOUTHDAKOTA: 'SD',
  TENNESSEE: 'TN', TEXAS: 'TX', UTAH: 'UT', VERMONT: 'VT', VIRGINIA: 'VA', WASHINGTON: 'WA',
  WESTVIRGINIA: 'WV', WISCONSIN: 'WI', WYOMING: 'WY', PUERTORICO: 'PR', GUAM: 'GU', CALIF: 'CA', CALI: 'CA',
}; // prettier-ignore

/** Abbreviations inside city names, expanded so "St Louis" = "Saint Louis". */
export const CITY_WORDS: Record<string, string> = {
  ST: 'SAINT', STE: 'SAINTE', FT: 'FORT', MT: 'MOUNT', PT: 'POINT', N: 'NORTH', S: 'SOUTH', E: 'EAST', W: 'WEST',
  SN: 'SAN', STA: 'SANTA', CTY: 'CITY', HTS: 'HEIGHTS', SPGS: 'SPRINGS', VLY: 'VALLEY', BCH: 'BEACH',
}; // prettier-ignore
