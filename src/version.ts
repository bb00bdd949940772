// The package version, used in the User-Agent (libcloud.__version__). A test keeps it equal to package.json.
export const VERSION = "0.1.0";
