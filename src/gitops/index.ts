// Public API of the GitOps output path; the private/ helpers are deliberately not exported.
export * from './gitops-unit';
export * from './flux-tree';
