export function Logo({ className = "" }: { className?: string }) {
  return (
    <span className={`inline-flex items-center gap-2 font-semibold tracking-tight ${className}`}>
      <svg aria-hidden="true" viewBox="0 0 24 24" className="size-6" fill="none">
        <rect x="3" y="3" width="18" height="5" rx="1.5" className="fill-indigo-600 dark:fill-indigo-400" />
        <rect x="3" y="10" width="18" height="5" rx="1.5" className="fill-indigo-400 dark:fill-indigo-500" />
        <rect x="3" y="17" width="11" height="4" rx="1.5" className="fill-indigo-300 dark:fill-indigo-700" />
      </svg>
      Jobdeck
    </span>
  );
}
