import { countries as phoneCountries } from './phone';
import { fail, ok, type Parsed } from './result';
import { foldText, quoted } from './text';

/**
 * ISO 3166-1 alpha-2 codes and their alpha-3 twins, which no Intl API gives ('DEU' is in Active
 * Directory and SCIM files). XK (Kosovo) is user-assigned but what every directory writes.
 */
const ALPHA3 =
	'AD AND AE ARE AF AFG AG ATG AI AIA AL ALB AM ARM AO AGO AQ ATA AR ARG AS ASM AT AUT AU AUS AW ABW AX ALA ' +
	'AZ AZE BA BIH BB BRB BD BGD BE BEL BF BFA BG BGR BH BHR BI BDI BJ BEN BL BLM BM BMU BN BRN BO BOL BQ BES ' +
	'BR BRA BS BHS BT BTN BV BVT BW BWA BY BLR BZ BLZ CA CAN CC CCK CD COD CF CAF CG COG CH CHE CI CIV CK COK ' +
	'CL CHL CM CMR CN CHN CO COL CR CRI CU CUB CV CPV CW CUW CX CXR CY CYP CZ CZE DE DEU DJ DJI DK DNK DM DMA ' +
	'DO DOM DZ DZA EC ECU EE EST EG EGY EH ESH ER ERI ES ESP ET ETH FI FIN FJ FJI FK FLK FM FSM FO FRO FR FRA ' +
	'GA GAB GB GBR GD GRD GE GEO GF GUF GG GGY GH GHA GI GIB GL GRL GM GMB GN GIN GP GLP GQ GNQ GR GRC GS SGS ' +
	'GT GTM GU GUM GW GNB GY GUY HK HKG HM HMD HN HND HR HRV HT HTI HU HUN ID IDN IE IRL IL ISR IM IMN IN IND ' +
	'IO IOT IQ IRQ IR IRN IS ISL IT ITA JE JEY JM JAM JO JOR JP JPN KE KEN KG KGZ KH KHM KI KIR KM COM KN KNA ' +
	'KP PRK KR KOR KW KWT KY CYM KZ KAZ LA LAO LB LBN LC LCA LI LIE LK LKA LR LBR LS LSO LT LTU LU LUX LV LVA ' +
	'LY LBY MA MAR MC MCO MD MDA ME MNE MF MAF MG MDG MH MHL MK MKD ML MLI MM MMR MN MNG MO MAC MP MNP MQ MTQ ' +
	'MR MRT MS MSR MT MLT MU MUS MV MDV MW MWI MX MEX MY MYS MZ MOZ NA NAM NC NCL NE NER NF NFK NG NGA NI NIC ' +
	'NL NLD NO NOR NP NPL NR NRU NU NIU NZ NZL OM OMN PA PAN PE PER PF PYF PG PNG PH PHL PK PAK PL POL PM SPM ' +
	'PN PCN PR PRI PS PSE PT PRT PW PLW PY PRY QA QAT RE REU RO ROU RS SRB RU RUS RW RWA SA SAU SB SLB SC SYC ' +
	'SD SDN SE SWE SG SGP SH SHN SI SVN SJ SJM SK SVK SL SLE SM SMR SN SEN SO SOM SR SUR SS SSD ST STP SV SLV ' +
	'SX SXM SY SYR SZ SWZ TC TCA TD TCD TF ATF TG TGO TH THA TJ TJK TK TKL TL TLS TM TKM TN TUN TO TON TR TUR ' +
	'TT TTO TV TUV TW TWN TZ TZA UA UKR UG UGA UM UMI US USA UY URY UZ UZB VA VAT VC VCT VE VEN VG VGB VI VIR ' +
	'VN VNM VU VUT WF WLF WS WSM XK XKX YE YEM YT MYT ZA ZAF ZM ZMB ZW ZWE';

/**
 * Names people and directories write that no locale's display name is: the constituent countries of the
 * UK, older or official names, and ISO's 'Korea, Republic of' style (its inverted form is tried as well).
 */
const ALTERNATIVE_NAMES: Record<string, string> = {
	uk: 'GB',
	'great britain': 'GB',
	britain: 'GB',
	england: 'GB',
	scotland: 'GB',
	wales: 'GB',
	'northern ireland': 'GB',
	'united kingdom of great britain and northern ireland': 'GB',
	'united states of america': 'US',
	america: 'US',
	holland: 'NL',
	'czech republic': 'CZ',
	turkey: 'TR',
	'ivory coast': 'CI',
	burma: 'MM',
	swaziland: 'SZ',
	macedonia: 'MK',
	'east timor': 'TL',
	'cape verde': 'CV',
	'holy see': 'VA',
	vatican: 'VA',
	korea: 'KR',
	'republic of korea': 'KR',
	'democratic peoples republic of korea': 'KP',
	'russian federation': 'RU',
	uae: 'AE',
	macao: 'MO',
	macau: 'MO',
	palestine: 'PS',
	'viet nam': 'VN',
	'islamic republic of iran': 'IR',
	congo: 'CG',
	'republic of the congo': 'CG',
	'democratic republic of the congo': 'CD',
	drc: 'CD',
	'republic of ireland': 'IE'
};

/** The languages whose country names are read: those of the admins Rollcall is used by. */
const LOCALES = ['en', 'de', 'fr', 'es', 'it', 'nl', 'pt'] as const;

const alpha3 = new Map(
	ALPHA3.match(/[A-Z]{2} [A-Z]{3}/gu)!.map((pair) => [pair.slice(0, 2), pair.slice(3)] as const)
);

/** Every country Rollcall knows: ISO 3166-1, and the codes phone numbers use (Ascension, Tristan da Cunha). */
export const countryCodes: readonly string[] = [...new Set([...alpha3.keys(), ...phoneCountries])].sort();

const englishNames = new Intl.DisplayNames('en', { type: 'region' });

/**
 * A country's English name, as people read it: 'GB' -> 'United Kingdom'. Anything that is not a code (a
 * value stored before countries were checked, or from a restored file) is shown as given, never thrown on.
 */
export function countryName(code: string): string {
	if (!/^[A-Za-z]{2}$/u.test(code)) return code;
	try {
		return englishNames.of(code.toUpperCase()) ?? code;
	} catch {
		return code;
	}
}

/** A name or code compared with case, accents, dots, '&' and a leading 'the' ignored. */
function countryKey(text: string): string {
	return foldText(text.replace(/&/gu, ' and '))
		.replace(/[.'’]/gu, '')
		.replace(/[^\p{L}\p{N}]+/gu, ' ')
		.trim()
		.replace(/^the /u, '');
}

let index: Map<string, string> | undefined;

/** Built on first use (some 30 ms): 250 countries in seven languages. */
function countryIndex(): Map<string, string> {
	if (index) return index;
	index = new Map();
	const add = (name: string | undefined, code: string) => {
		const key = name ? countryKey(name) : '';
		if (key && !index!.has(key)) index!.set(key, code);
	};
	for (const code of countryCodes) {
		add(code, code);
		add(alpha3.get(code), code);
	}
	// English also in its short style ('UK', 'Hong Kong', 'Bosnia'); the other languages' short names
	// are almost all their long ones, and would double the time this takes.
	for (const [locale, style] of [['en', 'short'], ...LOCALES.map((l) => [l, 'long'] as const)] as const) {
		const names = new Intl.DisplayNames(locale, { type: 'region', style, fallback: 'none' });
		for (const code of countryCodes) add(names.of(code), code);
	}
	for (const [name, code] of Object.entries(ALTERNATIVE_NAMES)) add(name, code);
	return index;
}

/**
 * Reads a country given by its ISO code (alpha-2 or alpha-3, any case) or its name in English, German,
 * French, Spanish, Italian, Dutch or Portuguese ('Deutschland', 'Allemagne', 'United States', 'UK'),
 * into its alpha-2 code, the form SCIM, Okta and Active Directory's 'c' keep.
 */
export function parseCountry(raw: string, label = 'Country'): Parsed<string> {
	const value = raw.normalize('NFC').replace(/\s+/gu, ' ').trim();
	const lookup = countryIndex();
	const found = lookup.get(countryKey(value));
	if (found) return ok(found);
	// ISO's own list writes 'Korea, Republic of' and 'Bahamas, The'.
	const comma = value.split(',');
	const inverted = comma.length === 2 ? lookup.get(countryKey(`${comma[1]} ${comma[0]}`)) : undefined;
	if (inverted) return ok(inverted);
	return fail(
		`${label} ${quoted(value)} is not a country Rollcall knows: give its name (United Kingdom) or its two-letter code (GB).`
	);
}

/** The English names of every country, sorted, for the form's suggestions. */
export function countryNames(): string[] {
	return countryCodes.map(countryName).sort((a, b) => a.localeCompare(b, 'en'));
}
