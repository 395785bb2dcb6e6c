import type { ReactNode } from "react";
import type { ProcessComponentJson } from "@/lib/schemas/components";
import type { ConfigurationJson } from "@/lib/schemas/configurations";

/** What every section of the configuration page is given. */
export type ConfigurationSectionProps = {
  config: ConfigurationJson;
  /** The component as the catalog has it (its parameters schema, versions); undefined while loading. */
  component: ProcessComponentJson | undefined;
  canManage: boolean;
  /** SMTP is set up (JOBDECK_SMTP_URL), read on the server. */
  emailConfigured: boolean;
};

/**
 * One section of the configuration page. The page renders configurationSections
 * (configuration-sections.tsx) in order; a feature adds its own section there, e.g. a flow
 * editor `when` the component is keboola.orchestrator, or a schedule section.
 */
export type ConfigurationSection = {
  id: string;
  when?: (props: ConfigurationSectionProps) => boolean;
  render: (props: ConfigurationSectionProps) => ReactNode;
};
