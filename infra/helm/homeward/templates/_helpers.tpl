{{/* The release's name for a service's objects: <release>-<service>, at most 63 characters. */}}
{{- define "homeward.name" -}}
{{- printf "%s-%s" .root.Release.Name .service | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels on every object of one service. */}}
{{- define "homeward.labels" -}}
app.kubernetes.io/name: {{ .service }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/part-of: homeward
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{/* The selector of one service's pods (never changes between upgrades). */}}
{{- define "homeward.selector" -}}
app.kubernetes.io/name: {{ .service }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{/* One service's settings: the defaults overlaid with its own block. */}}
{{- define "homeward.settings" -}}
{{- $own := index .root.Values.services .service -}}
{{- toYaml (mergeOverwrite (deepCopy .root.Values.defaults) (deepCopy $own)) -}}
{{- end -}}

{{/* The health targets the dashboard polls: every enabled service but itself, by its Service's name. */}}
{{- define "homeward.healthTargets" -}}
{{- $root := . -}}
{{- $targets := list -}}
{{- range $name, $svc := .Values.services -}}
{{- if and $svc.enabled (ne $name "dashboard") -}}
{{- $targets = append $targets (printf "%s=http://%s:%v" $name (include "homeward.name" (dict "root" $root "service" $name)) $svc.port) -}}
{{- end -}}
{{- end -}}
{{- join "," $targets -}}
{{- end -}}
