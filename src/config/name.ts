/** The configuration file's name (a module of its own: finding the file loads no YAML parser). */
export const CONFIG_FILE = "rulec.config.yml";
