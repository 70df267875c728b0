{{- define "firmament.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "firmament.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "firmament.selectorLabels" -}}
app.kubernetes.io/name: {{ include "firmament.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "firmament.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "firmament.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "firmament.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "firmament.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Without an external database each pod would run its own embedded one: only one pod then makes sense. */}}
{{- define "firmament.embedded" -}}
{{- if not .Values.database.url -}}true{{- end -}}
{{- end -}}

{{/* An env entry read from the chart's Secret or from an existing one: (dict "name" "ENV" "existing" "sec" "existingKey" "k" "key" "k" "ctx" $) */}}
{{- define "firmament.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .existing | default (include "firmament.fullname" .ctx) }}
      key: {{ if .existing }}{{ .existingKey }}{{ else }}{{ .key }}{{ end }}
{{- end -}}
