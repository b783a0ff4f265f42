; NSIS installer of PT Codes (Windows, per-machine, 64-bit).
;
; Compiled by packaging/windows/build_nsis.sh, which passes:
;   /DVERSION=0.1.0        product version (pyproject.toml)
;   /DVERSION4=0.1.0.0     the same as four numbers (VIProductVersion)
;   /DBUNDLE_DIR=...       the PyInstaller bundle (dist/ptcodes-gui: ptcodes-gui.exe, ptcodes.exe, _internal)
;   /DOUT_FILE=...         the setup .exe to write
;   /DICON=...             packaging/icons/ptcodes-gui.ico
;
; Installs to "C:\Program Files\PT Codes" for all users, adds a Start-menu shortcut, and
; registers an uninstaller under Apps & features (HKLM ...\Uninstall\PTCodes). User data
; (favorites, templates, settings in %LOCALAPPDATA%\PTCodes) is never touched by install,
; upgrade or uninstall. docs/DEPLOYING.md is the guide for IT.
;
; Command line (all optional; NSIS options are case-sensitive):
;   /S                      silent: no pages, no questions (exit code 0 = installed)
;   /D=C:\Path\PT Codes     install folder (must be the LAST option, never quoted)
;   /CLINICDIR=\\server\share\ptcodes   the clinic data folder for every user of this PC,
;                           written to %PROGRAMDATA%\PT Codes\config.ini ([clinic] folder);
;                           quote it when it has spaces: /CLINICDIR="\\srv\PT share"
;   /PUBLISH=no             this PC may not publish to the clinic folder ([clinic] publish)
; Without /CLINICDIR an existing config.ini is left as it is (upgrades keep IT's settings).
; Uninstaller: uninstall.exe /S [/REMOVECONFIG]  (config.ini stays unless /REMOVECONFIG).

!ifdef TARGET
  ; amd64-unicode: only to run the setup under a 64-bit-only Wine (docs/PACKAGING.md); the
  ; shipped setup is the default x86-unicode stub, which every Windows runs.
  Target ${TARGET}
!else
  Unicode true
!endif
ManifestDPIAware true
SetCompressor /SOLID lzma
RequestExecutionLevel admin

!ifndef VERSION
  !error "pass /DVERSION=x.y.z (use packaging/windows/build_nsis.sh)"
!endif
!ifndef VERSION4
  !define VERSION4 "${VERSION}.0"
!endif
!ifndef BUNDLE_DIR
  !error "pass /DBUNDLE_DIR=path\to\dist\ptcodes-gui"
!endif
!ifndef OUT_FILE
  !define OUT_FILE "ptcodes-gui-${VERSION}-setup.exe"
!endif
!ifndef ICON
  !define ICON "..\icons\ptcodes-gui.ico"
!endif

!define APP_NAME "PT Codes"
!define COMPANY "PT Codes team"
!define GUI_EXE "ptcodes-gui.exe"
!define CLI_EXE "ptcodes.exe"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\PTCodes"
!define NOTICES "THIRD-PARTY-NOTICES.txt"
; Read by ptcodes_gui/userdata/config.py (machine_config_paths): %PROGRAMDATA%\PT Codes
!define CONFIG_DIR_NAME "PT Codes"
!define CONFIG_FILE "config.ini"

!include "MUI2.nsh"
!include "x64.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"

Name "${APP_NAME} ${VERSION}"
OutFile "${OUT_FILE}"
InstallDir "$PROGRAMFILES64\${APP_NAME}"
InstallDirRegKey HKLM "${UNINSTALL_KEY}" "InstallLocation"
BrandingText "${APP_NAME} ${VERSION}"

; ---- version resource of the setup .exe itself --------------------------------------------
VIProductVersion "${VERSION4}"
VIFileVersion "${VERSION4}"
VIAddVersionKey /LANG=1033 "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=1033 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "FileDescription" "${APP_NAME} setup"
VIAddVersionKey /LANG=1033 "CompanyName" "${COMPANY}"
VIAddVersionKey /LANG=1033 "LegalCopyright" "Copyright (c) ${COMPANY}"

; ---- pages ------------------------------------------------------------------------------------
!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${GUI_EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "Start ${APP_NAME}"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Var ClinicDir
Var Publish

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "${APP_NAME} needs 64-bit Windows 10 or later." /SD IDOK
    SetErrorLevel 2
    Abort
  ${EndIf}
  UserInfo::GetAccountType
  Pop $0
  ${If} $0 != "admin"
    MessageBox MB_ICONSTOP "${APP_NAME} is installed for all users: run the setup as an administrator." /SD IDOK
    SetErrorLevel 740 ; ERROR_ELEVATION_REQUIRED
    Abort
  ${EndIf}
  SetRegView 64
  SetShellVarContext all
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/CLINICDIR=" $ClinicDir
  ${If} ${Errors}
    StrCpy $R4 '"/CLINICDIR='
    Call QuotedOption
    StrCpy $ClinicDir $R5
  ${EndIf}
  ClearErrors
  ${GetOptions} $R0 "/PUBLISH=" $Publish
  ${If} ${Errors}
    StrCpy $R4 '"/PUBLISH='
    Call QuotedOption
    StrCpy $Publish $R5
  ${EndIf}
FunctionEnd

; GetOptions finds /CLINICDIR="\\srv\PT share" but not the whole option in quotes,
; "/CLINICDIR=\\srv\PT share", which is how PowerShell, Git Bash and most deployment tools pass
; one argument with a space. In: $R0 the command line, $R4 '"/OPTION='. Out: $R5 ("" if absent).
Function QuotedOption
  StrCpy $R5 ""
  StrLen $R6 $R4
  StrCpy $R7 0
  find:
    StrCpy $R8 $R0 $R6 $R7
    StrCmp $R8 "" done
    StrCmp $R8 $R4 found
    IntOp $R7 $R7 + 1
    Goto find
  found:
    IntOp $R7 $R7 + $R6
    StrCpy $R8 $R0 "" $R7
    StrCpy $R9 0
  closing:
    StrCpy $R6 $R8 1 $R9
    StrCmp $R6 "" take
    StrCmp $R6 '"' take
    IntOp $R9 $R9 + 1
    Goto closing
  take:
    StrCpy $R5 $R8 $R9
  done:
FunctionEnd

Function un.onInit
  SetRegView 64
  SetShellVarContext all
FunctionEnd

; %PROGRAMDATA%\PT Codes\config.ini, as UTF-16LE with a BOM (what Windows' own INI tools write;
; a share name may hold any character). Only the settings given on the command line.
Function WriteMachineConfig
  ${If} $ClinicDir == ""
  ${AndIf} $Publish == ""
    Return
  ${EndIf}
  ReadEnvStr $R1 PROGRAMDATA
  ${If} $R1 == ""
    StrCpy $R1 "$APPDATA" ; SetShellVarContext all: C:\ProgramData
  ${EndIf}
  CreateDirectory "$R1\${CONFIG_DIR_NAME}"
  ClearErrors
  FileOpen $R2 "$R1\${CONFIG_DIR_NAME}\${CONFIG_FILE}" w
  ${If} ${Errors}
    DetailPrint "Could not write $R1\${CONFIG_DIR_NAME}\${CONFIG_FILE}"
    SetErrorLevel 3
    Return
  ${EndIf}
  FileWriteUTF16LE /BOM $R2 "; PT Codes machine-wide settings, written by the installer (${VERSION}).$\r$\n"
  FileWriteUTF16LE $R2 "; Every user of this PC gets this clinic folder unless they choose another$\r$\n"
  FileWriteUTF16LE $R2 "; in Preferences (PTCODES_CLINIC_DIR beats both). See DEPLOYING.md.$\r$\n"
  FileWriteUTF16LE $R2 "[clinic]$\r$\n"
  ${If} $ClinicDir != ""
    FileWriteUTF16LE $R2 "folder = $ClinicDir$\r$\n"
  ${EndIf}
  ${If} $Publish != ""
    FileWriteUTF16LE $R2 "publish = $Publish$\r$\n"
  ${EndIf}
  FileClose $R2
  DetailPrint "Clinic settings written to $R1\${CONFIG_DIR_NAME}\${CONFIG_FILE}"
FunctionEnd

; ---- install ----------------------------------------------------------------------------------
Section "${APP_NAME}" SecMain
  SectionIn RO
  SetOutPath "$INSTDIR"
  ; An upgrade replaces the whole program folder: files of the old version must not linger.
  RMDir /r "$INSTDIR\_internal"
  File /r "${BUNDLE_DIR}\*.*"

  WriteUninstaller "$INSTDIR\uninstall.exe"
  Call WriteMachineConfig

  CreateShortCut "$SMPROGRAMS\${APP_NAME}.lnk" "$INSTDIR\${GUI_EXE}" "" "$INSTDIR\${GUI_EXE}" 0

  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "${COMPANY}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${GUI_EXE},0"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "EstimatedSize" "$0"
SectionEnd

; ---- uninstall --------------------------------------------------------------------------------
; Removes only what the installer put there (never a blind RMDir /r "$INSTDIR", in case the
; folder was pointed somewhere shared); user data in %APPDATA% stays.
Section "Uninstall"
  Delete "$SMPROGRAMS\${APP_NAME}.lnk"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${GUI_EXE}"
  Delete "$INSTDIR\${CLI_EXE}"
  Delete "$INSTDIR\${NOTICES}"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
  ; The machine config belongs to IT: it stays (a reinstall picks it up) unless asked.
  ${un.GetParameters} $R0
  ClearErrors
  ${un.GetOptions} $R0 "/REMOVECONFIG" $R1
  ${IfNot} ${Errors}
    ReadEnvStr $R1 PROGRAMDATA
    ${If} $R1 == ""
      StrCpy $R1 "$APPDATA"
    ${EndIf}
    Delete "$R1\${CONFIG_DIR_NAME}\${CONFIG_FILE}"
    RMDir "$R1\${CONFIG_DIR_NAME}"
  ${EndIf}
SectionEnd
