import { ConfigurationEditorSection } from "@/components/configuration-editor";
import { ConfigurationRows } from "@/components/configuration-rows";
import type { ConfigurationSection } from "@/components/configuration-section";
import { ConfigurationVersions } from "@/components/configuration-versions";
import { NotifyWhenFails } from "@/components/notify-when-fails";
import { RunHistory } from "@/components/run-history";

/** The configuration page's sections, in order. Add a feature's section here. */
export const configurationSections: ConfigurationSection[] = [
  { id: "history", render: ({ config }) => <RunHistory componentId={config.componentId} configId={config.id} /> },
  { id: "configuration", render: (props) => <ConfigurationEditorSection {...props} /> },
  { id: "rows", render: (props) => <ConfigurationRows {...props} /> },
  { id: "versions", render: (props) => <ConfigurationVersions {...props} /> },
  {
    id: "notifications",
    render: ({ config, emailConfigured }) => <NotifyWhenFails componentId={config.componentId} configurationId={config.id} emailConfigured={emailConfigured} />,
  },
];
