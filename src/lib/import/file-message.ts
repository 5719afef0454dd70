/**
 * Every message about a file names it, as the admin chose it ("staff.xlsx is password-protected..."): an
 * admin importing several files, or coming back to the page, must not have to guess which one is meant.
 * The readers speak of "this file", "the file", "this workbook", "the sheet" or "row 3", and know no name;
 * the name is put in here, in one place, where the messages meet (readSource, the import session).
 */

/** The subjects the readers' messages start with, and what each becomes once the file has a name. */
const SUBJECTS: readonly [RegExp, (name: string, match: RegExpExecArray) => string][] = [
	[/^(?:This|The) (?:file|workbook)\b/u, (name) => name],
	[/^This is\b/u, (name) => `${name} is`],
	[/^The sheet ("[^"]*")/u, (name, match) => `The sheet ${match[1]} in ${name}`],
	[/^Row (\d+)/u, (name, match) => `Row ${match[1]} of ${name}`],
	[/^Nothing was imported\b/u, (name) => `Nothing was imported from ${name}`]
];

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');

/** Whether the message names the file where aboutFile puts it, or in quotes as the SCIM and vCard readers do. */
function isNamed(name: string, message: string): boolean {
	const at = new RegExp(
		`^(?:Row \\d+ of |The sheet "[^"]*" in |Nothing was imported from )?${escaped(name)}(?=[\\s:.,;(])`,
		'u'
	);
	return at.test(message) || message.includes(`“${name}”`);
}

/**
 * The message with the file's name in it: in place of the subject it starts with ("The file is empty."
 * becomes "staff.csv is empty."), else before it. A message that names the file already (SCIM and vCard
 * readers name it) is left as it is.
 */
export function aboutFile(name: string, message: string): string {
	if (name === '' || isNamed(name, message)) return message;
	for (const [subject, named] of SUBJECTS) {
		const match = subject.exec(message);
		if (match) return named(name, match) + message.slice(match[0].length);
	}
	return `${name}: ${message}`;
}
