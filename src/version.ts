// The package version, used in the User-Agent (libcloud.__version__). A test keeps it equal to package.json.
/** The package version (libcloud's `__version__`), as sent in the User-Agent. */
export const VERSION = "0.1.0";
